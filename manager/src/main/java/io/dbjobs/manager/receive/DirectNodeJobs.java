package io.dbjobs.manager.receive;

import io.dbjobs.common.job.Job;
import io.dbjobs.common.job.JobRef;
import io.dbjobs.common.job.NewJob;
import io.dbjobs.common.watch.JobSource;
import io.dbjobs.common.watch.TableSource;
import io.dbjobs.manager.config.NodeConfig;
import io.dbjobs.manager.fleet.NodeConnections;

/** {@link NodeJobs} straight against each node's jobs table, through the manager's pools. */
public final class DirectNodeJobs implements NodeJobs {
  private final NodeConnections connections;

  public DirectNodeJobs(NodeConnections connections) {
    this.connections = connections;
  }

  @Override
  public Job submit(NodeConfig node, NewJob job) {
    return connections.jobs(node).enqueue(job).job();
  }

  @Override
  public JobSource source(NodeConfig node) {
    return new TableSource(connections.jobs(node));
  }

  @Override
  public void cancel(NodeConfig node, JobRef ref, String by) {
    connections.jobs(node).cancel(ref, by);
  }
}
