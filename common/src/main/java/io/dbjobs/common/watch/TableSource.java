package io.dbjobs.common.watch;

import io.dbjobs.common.job.Job;
import io.dbjobs.common.job.JobRef;
import io.dbjobs.common.jobs.ManagerJobs;
import java.util.Optional;

/** A {@link JobSource} on a node's own jobs table: reads by ref, and marks lost agents' jobs. */
public record TableSource(ManagerJobs table) implements JobSource {
  @Override
  public Optional<Job> read(JobRef ref) {
    return table.find(ref);
  }

  @Override
  public boolean markLost(JobRef ref, String observer) {
    return table.failLostAgents(observer) > 0;
  }
}
