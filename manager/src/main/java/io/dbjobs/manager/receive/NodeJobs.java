package io.dbjobs.manager.receive;

import io.dbjobs.common.job.Job;
import io.dbjobs.common.job.NewJob;
import io.dbjobs.manager.config.NodeConfig;

/**
 * The three things {@link ReceivingJob} does with a node's jobs table: enqueue a job (with the
 * stream's peer and secret in its row), read it back, and cancel it. {@link DirectNodeJobs} does
 * them over JDBC; a daemon may supply its own.
 */
public interface NodeJobs {
  /**
   * Enqueues {@code job} on {@code node} and returns its row.
   *
   * @throws io.dbjobs.common.DbJobsException when the node cannot be reached or refuses
   */
  Job submit(NodeConfig node, NewJob job);

  /** The job's current row. */
  Job find(NodeConfig node, long id);

  /** Cancels a queued job, or asks the agent of a running one to stop it. */
  void cancel(NodeConfig node, long id, String by);
}
