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
public final class FleetSource implements JobSource {
  private final Fleet fleet;
  private volatile boolean lastFromAgent;

  public FleetSource(Fleet fleet) {
    this.fleet = fleet;
  }

  /** Whether the last row read was the node's agent's report (its database did not answer). */
  public boolean lastFromAgent() {
    return lastFromAgent;
  }

  @Override
  public Optional<Job> read(JobRef ref) {
    try {
      JobView v = fleet.job(ref);
      lastFromAgent = v.fromAgent();
      return Optional.of(v.job());
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
