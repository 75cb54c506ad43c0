/**
 * The manager's receiving side of the stream protocol: one {@link
 * io.dbjobs.manager.receive.Receiver} (a {@code StreamListener}) per manager process, and {@link
 * io.dbjobs.manager.receive.ReceivingJob}, which runs a job whose bytes come back to this manager
 * (a backup, a log): expectation, job submission, and waiting for both the job's end and the
 * stream's result. Internal: no compatibility promise.
 */
package io.dbjobs.manager.receive;
