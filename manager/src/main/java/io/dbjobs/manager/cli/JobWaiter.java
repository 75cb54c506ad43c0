package io.dbjobs.manager.cli;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.db.SqlErrors;
import io.dbjobs.common.job.Job;
import io.dbjobs.common.job.JobState;
import io.dbjobs.common.job.Task;
import io.dbjobs.common.time.Durations;
import io.dbjobs.common.time.Sleeper;
import io.dbjobs.manager.fleet.Fleet;
import io.dbjobs.manager.fleet.JobView;
import java.time.Duration;

/**
 * Follows a job until it ends, showing progress. A node that stops answering while its own {@code
 * stop} job runs has done what was asked: that counts as done (the row is completed when the server
 * is back). Any other unreachable spell is reported and waited out until the timeout; so is a
 * daemon that does not answer while the CLI goes through its API (e.g. while it restarts).
 */
final class JobWaiter {
  private static final Duration POLL = Duration.ofMillis(200);

  /** How the wait ended: the last view of the job, and whether its node went down as asked. */
  record Waited(JobView last, boolean nodeStoppedAsAsked) {}

  private final Fleet fleet;
  private final ProgressPrinter printer;
  private final Sleeper sleeper;

  JobWaiter(Fleet fleet, ProgressPrinter printer, Sleeper sleeper) {
    this.fleet = fleet;
    this.printer = printer;
    this.sleeper = sleeper;
  }

  Waited await(JobView first, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    JobView last = first;
    boolean unreachable = false;
    boolean daemonAway = false;
    while (true) {
      try {
        last =
            last.job().id() > 0
                ? fleet.job(last.node(), last.job().id())
                : fleet.jobByKey(last.node(), last.job().idempotencyKey());
        if (unreachable) {
          printer.note(last.node() + " answers again");
          unreachable = false;
        }
        if (daemonAway) {
          printer.note("the dbjobs daemon answers again");
          daemonAway = false;
        }
        printer.update(last, System.nanoTime());
        if (last.job().state().isFinal()) {
          printer.done();
          return new Waited(last, false);
        }
      } catch (DbJobsException e) {
        if (e.code() == ErrorCode.NOT_FOUND || SqlErrors.isMissingTable(e)) {
          // a physical reseed briefly serves the donor's jobs table before the node's own history
          // is put back: the row returns within moments
          if (!unreachable) {
            printer.note(last.node() + "'s jobs table is being restored; still waiting");
            unreachable = true;
          }
          sleeper.sleep(POLL);
          continue;
        }
        if (e.code() == ErrorCode.DAEMON_UNREACHABLE) {
          // through the API: the daemon restarts or is away; the job goes on in the node's row
          if (!daemonAway) {
            printer.note(e.getMessage() + "; still waiting");
            daemonAway = true;
          }
          if (System.nanoTime() > deadline) {
            throw e;
          }
          sleeper.sleep(POLL);
          continue;
        }
        if (!SqlErrors.isConnectionLoss(e) && e.code() != ErrorCode.NODE_UNREACHABLE) {
          throw e;
        }
        JobView fromAgent = askAgent(last);
        if (fromAgent != null) {
          last = fromAgent;
          printer.update(last, System.nanoTime());
          if (last.job().state().isFinal()) {
            printer.note(
                last.node()
                    + "'s database does not answer; its agent reports the job "
                    + last.job().state().label()
                    + " (the row is completed when the server answers)");
            return new Waited(
                last, last.job().state() == JobState.SUCCEEDED && isStopJob(last.job()));
          }
        } else if (isStopJob(last.job()) && last.job().state().isActive()) {
          printer.note(
              last.node()
                  + " stopped answering while its stop job runs: the server is down as asked;"
                  + " the job's row is completed when the server is back");
          return new Waited(last, true);
        }
        if (!unreachable) {
          printer.note(
              last.node() + " is unreachable (" + SqlErrors.message(e) + "); still waiting");
          unreachable = true;
        }
      }
      if (System.nanoTime() > deadline) {
        printer.done();
        throw new DbJobsException(
            ErrorCode.TIMEOUT,
            "job "
                + last.job().id()
                + " on "
                + last.node()
                + " is still "
                + last.job().state().label()
                + " after "
                + Durations.human(timeout)
                + " of waiting (phase '"
                + last.job().phase()
                + "'); it goes on: follow it with dbjobs jobs --node "
                + last.node()
                + " "
                + last.job().id());
      }
      sleeper.sleep(POLL);
    }
  }

  /** The job as the node's agent knows it while the database is down, or null if it cannot say. */
  private JobView askAgent(JobView last) {
    try {
      return fleet.jobByKey(last.node(), last.job().idempotencyKey());
    } catch (DbJobsException e) {
      return null;
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
