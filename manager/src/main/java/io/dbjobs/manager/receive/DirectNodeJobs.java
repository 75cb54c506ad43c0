package io.dbjobs.manager.receive;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.job.Job;
import io.dbjobs.common.job.NewJob;
import io.dbjobs.common.jobs.JobsDao;
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
    JobsDao dao = connections.jobs(node);
    JobsDao.Inserted ins = dao.insert(job);
    return find(node, ins.id());
  }

  @Override
  public Job find(NodeConfig node, long id) {
    return connections
        .jobs(node)
        .find(id)
        .orElseThrow(
            () ->
                new DbJobsException(
                    ErrorCode.NOT_FOUND, "no job " + id + " on " + node.describe()));
  }

  @Override
  public void cancel(NodeConfig node, long id, String by) {
    connections.jobs(node).cancel(id, by);
  }
}
