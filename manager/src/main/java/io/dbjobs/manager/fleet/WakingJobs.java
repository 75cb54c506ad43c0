package io.dbjobs.manager.fleet;

import io.dbjobs.common.job.Job;
import io.dbjobs.common.job.JobRef;
import io.dbjobs.common.job.NewJob;
import io.dbjobs.common.jobs.JobQuery;
import io.dbjobs.common.jobs.ManagerJobs;
import java.util.List;
import java.util.Optional;

/** A node's jobs table whose enqueues wake the node's agent ({@link AgentWakeups}). */
final class WakingJobs implements ManagerJobs {
  private final ManagerJobs table;
  private final Runnable wake;

  WakingJobs(ManagerJobs table, Runnable wake) {
    this.table = table;
    this.wake = wake;
  }

  @Override
  public String node() {
    return table.node();
  }

  @Override
  public String where() {
    return table.where();
  }

  @Override
  public Enqueued enqueue(NewJob job) {
    Enqueued e = table.enqueue(job);
    if (e.created()) {
      wake.run();
    }
    return e;
  }

  @Override
  public Optional<Job> find(JobRef ref) {
    return table.find(ref);
  }

  @Override
  public Optional<Job> findById(long id) {
    return table.findById(id);
  }

  @Override
  public List<Job> list(JobQuery q) {
    return table.list(q);
  }

  @Override
  public Counts counts() {
    return table.counts();
  }

  @Override
  public CancelResult cancel(JobRef ref, String by) {
    return table.cancel(ref, by);
  }

  @Override
  public CancelResult cancelById(long id, String by) {
    return table.cancelById(id, by);
  }

  @Override
  public int failLostAgents(String observer) {
    return table.failLostAgents(observer);
  }
}
