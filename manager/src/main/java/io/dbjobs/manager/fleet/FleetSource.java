package io.dbjobs.manager.fleet;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.job.Job;
import io.dbjobs.common.job.JobRef;
import io.dbjobs.common.watch.JobSource;
import java.util.Optional;

/**
 * A {@link JobSource} over a {@link Fleet}: the CLI's view of a job, direct or through the daemon.
 * Directly it may mark a lost agent's job; through the daemon that is the daemon's watchdog's.
 */
public record FleetSource(Fleet fleet) implements JobSource {
  @Override
  public Optional<Job> read(JobRef ref) {
    try {
      return Optional.of(fleet.job(ref).job());
    } catch (DbJobsException e) {
      if (e.code() == ErrorCode.NOT_FOUND) {
        return Optional.empty();
      }
      throw e;
    }
  }

  @Override
  public boolean markLost(JobRef ref, String observer) {
    return fleet.markLost(ref.node(), observer);
  }
}
