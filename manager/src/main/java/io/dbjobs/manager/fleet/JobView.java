package io.dbjobs.manager.fleet;

import io.dbjobs.common.job.Job;

/**
 * A job as the manager sees it, on its node.
 *
 * @param fromAgent the node's database did not answer and this is what its agent reported (the row
 *     is completed when the server answers)
 */
public record JobView(String node, Job job, boolean fromAgent) {
  public JobView(String node, Job job) {
    this(node, job, false);
  }
}
