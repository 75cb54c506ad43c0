package io.dbjobs.manager.receive;

import io.dbjobs.common.job.Job;
import io.dbjobs.common.job.JobRef;
import io.dbjobs.common.job.NewJob;
import io.dbjobs.common.watch.JobSource;
import io.dbjobs.manager.config.NodeConfig;

/**
 * The three things {@link ReceivingJob} does with a node's jobs table: enqueue a job (sealed, with
 * the stream's peer and wrapped secret in its row), read it back, and cancel it. {@link
 * DirectNodeJobs} does them over JDBC; tests supply their own.
 */
public interface NodeJobs {
  /**
   * Enqueues {@code job} on {@code node} and returns its row.
   *
   * @throws io.dbjobs.common.DbJobsException when the node cannot be reached or refuses
   */
  Job submit(NodeConfig node, NewJob job);

  /** Where the node's jobs are read (and lost agents marked). */
  JobSource source(NodeConfig node);

  /** Cancels a queued job, or asks the agent of a running one to stop it. */
  void cancel(NodeConfig node, JobRef ref, String by);
}
