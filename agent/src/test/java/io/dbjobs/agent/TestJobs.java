package io.dbjobs.agent;

import io.dbjobs.common.job.Job;
import io.dbjobs.common.job.NewJob;
import io.dbjobs.common.jobs.ManagerJobs;
import io.dbjobs.common.jobs.ManagerJobsTable;
import java.util.Optional;

/**
 * The manager's side of a test node's jobs table (sealed with the tests' keys, as the manager
 * seals), with the by-id shortcuts the agent's tests use.
 */
public final class TestJobs {
  /** An enqueued job's id, and whether the call created it. */
  public record Inserted(long id, boolean created) {}

  private final ManagerJobsTable table;

  TestJobs(ManagerJobsTable table) {
    this.table = table;
  }

  public ManagerJobsTable table() {
    return table;
  }

  public Inserted insert(NewJob job) {
    ManagerJobs.Enqueued e = table.enqueue(job);
    return new Inserted(e.job().id(), e.created());
  }

  public Optional<Job> find(long id) {
    return table.findById(id);
  }

  public ManagerJobs.CancelResult cancel(long id, String by) {
    return table.cancelById(id, by);
  }
}
