package io.dbjobs.manager.cli;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.db.SqlErrors;
import io.dbjobs.common.job.Job;
import io.dbjobs.common.job.JobRef;
import io.dbjobs.common.job.JobState;
import io.dbjobs.common.job.Task;
import io.dbjobs.common.watch.JobWatcher;
import io.dbjobs.common.watch.Pacer;
import io.dbjobs.manager.fleet.Fleet;
import io.dbjobs.manager.fleet.FleetSource;
import io.dbjobs.manager.fleet.JobView;
import java.time.Duration;

/**
 * Follows a job until it ends, showing progress, through the one {@link JobWatcher}. A node that
 * stops answering while its own {@code stop} job runs has done what was asked: that counts as done
 * (the row is completed when the server is back). Any other unreachable spell is reported and
 * waited out until the timeout; so is a daemon that does not answer while the CLI goes through its
 * API (e.g. while it restarts). A job whose lease expired is reported as agent lost at once.
 */
final class JobWaiter {
  /** How the wait ended: the last view of the job, and whether its node went down as asked. */
  record Waited(JobView last, boolean nodeStoppedAsAsked) {}

  private final Fleet fleet;
  private final ProgressPrinter printer;

  JobWaiter(Fleet fleet, ProgressPrinter printer) {
    this.fleet = fleet;
    this.printer = printer;
  }

  Waited await(JobView first, Duration timeout) throws InterruptedException {
    JobRef ref =
        new JobRef(first.node(), first.job().idempotencyKey(), Task.require(first.job().task()));
    FleetSource source = new FleetSource(fleet);
    JobWatcher watcher = new JobWatcher(source, "dbjobs " + DbJobsCli.who(), new Pacer());
    JobView[] last = {first};
    try {
      return watcher.await(
          ref,
          timeout,
          new JobWatcher.Step<Waited>() {
            @Override
            public Waited onRow(Job row) {
              last[0] = new JobView(first.node(), row, source.lastFromAgent());
              printer.update(last[0], System.nanoTime());
              if (row.state().isFinal()) {
                if (last[0].fromAgent()) {
                  printer.note(
                      first.node()
                          + "'s database does not answer; its agent reports the job "
                          + row.state().label()
                          + " (the row is completed when the server answers)");
                }
                printer.done();
                return new Waited(
                    last[0],
                    last[0].fromAgent() && row.state() == JobState.SUCCEEDED && isStopJob(row));
              }
              return null;
            }

            @Override
            public Waited onUnreadable(DbJobsException e, Job lastSeen) {
              boolean nodeDown =
                  SqlErrors.isConnectionLoss(e) || e.code() == ErrorCode.NODE_UNREACHABLE;
              if (nodeDown && isStopJob(last[0].job()) && last[0].job().state().isActive()) {
                printer.note(
                    last[0].node()
                        + " stopped answering while its stop job runs: the server is down as"
                        + " asked; the job's row is completed when the server is back");
                return new Waited(last[0], true);
              }
              return null;
            }

            @Override
            public void note(String message) {
              printer.note(message);
            }
          });
    } catch (DbJobsException e) {
      printer.done();
      throw e;
    }
  }

  private static boolean isStopJob(Job j) {
    return Task.STOP.wireName().equals(j.task());
  }

  /** The exit status for a job's end: 0 succeeded, its error code's status otherwise. */
  static int exitStatus(Job j) {
    if (j.state() == JobState.SUCCEEDED) {
      return 0;
    }
    ErrorCode c = ErrorCode.fromRow(j.errorCode());
    return c == null ? 1 : Math.max(1, c.exitStatus());
  }

  /** "job 42 on db2 succeeded after 1.2s: ..." */
  static String summary(JobView v, java.time.Instant now) {
    Job j = v.job();
    String took = JobsCommand.took(j, now);
    return "job "
        + (j.id() == 0
            ? "'" + j.idempotencyKey() + "' (" + j.task() + ", row written once the server answers)"
            : j.id())
        + " on "
        + v.node()
        + " "
        + j.state().label()
        + (took == null ? "" : " after " + took)
        + (j.errorCode() == null ? "" : " (" + j.errorCode() + ")")
        + (j.result() == null ? "" : ": " + j.result());
  }
}
