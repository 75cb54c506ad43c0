package io.dbjobs.manager.schedule;

/**
 * Collects the logs the schedules ask for ({@code errorlog}, {@code slowquery}); the log collector
 * implements it and the daemon is given it ({@code DaemonIntegrations}). Same contract as {@link
 * ScheduledBackups}: enqueue on {@code run.node()} with {@code run.idempotencyKey()}, return once
 * enqueued, throw a {@link io.dbjobs.common.DbJobsException} when that is impossible.
 */
@FunctionalInterface
public interface ScheduledLogs {
  void collect(ScheduledRun run);

  /** Until the log collector is wired in: logs that the logs were not collected. */
  static ScheduledLogs notAvailable() {
    return run -> {
      throw new io.dbjobs.common.DbJobsException(
          io.dbjobs.common.ErrorCode.CATALOG_ERROR,
          "scheduled log collection is not available in this build (no log collector is wired"
              + " into dbjobs serve); "
              + run.task()
              + " on "
              + run.node()
              + " not collected");
    };
  }
}
