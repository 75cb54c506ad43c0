package io.dbjobs.manager.schedule;

/**
 * Takes the backups the schedules ask for ({@code backup-physical}, {@code backup-logical}); the
 * backup catalog implements it and the daemon is given it ({@code DaemonIntegrations}).
 *
 * <p>Contract: {@link #backup} enqueues the backup job on {@code run.node()} with {@code
 * run.idempotencyKey()} as its idempotency key (so a second call for the same run finds the job and
 * does nothing) and returns as soon as it is enqueued; receiving the stream and writing the catalog
 * entry happen afterwards, off the scheduler's threads. It throws a {@link
 * io.dbjobs.common.DbJobsException} when it cannot enqueue; the scheduler logs it and counts a skip
 * ({@code reason=failed}).
 */
@FunctionalInterface
public interface ScheduledBackups {
  void backup(ScheduledRun run);

  /** Until the catalog is wired in: logs that the backup was not taken. */
  static ScheduledBackups notAvailable() {
    return run -> {
      throw new io.dbjobs.common.DbJobsException(
          io.dbjobs.common.ErrorCode.CATALOG_ERROR,
          "scheduled backups are not available in this build (no backup catalog is wired into"
              + " dbjobs serve); "
              + run.task()
              + " on "
              + run.node()
              + " not taken");
    };
  }
}
