/**
 * The one way to wait on a job: {@link io.dbjobs.common.watch.JobWatcher}, with a deadline, reading
 * the lease, counting errors instead of swallowing them. Internal: no compatibility promise.
 */
package io.dbjobs.common.watch;
