package io.dbjobs.common.watch;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.db.SqlErrors;
import io.dbjobs.common.job.Job;
import io.dbjobs.common.job.JobRef;
import io.dbjobs.common.job.JobState;
import io.dbjobs.common.time.Durations;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one way to wait on a job, used by the CLI, the daemon, the reseed, the donor and the receiver
 * alike. Every wait has a deadline. Every look reads the job's row by its {@link JobRef} (never by
 * id alone), and reads its lease: a job whose lease expired by the database's clock is "agent lost"
 * for whoever waits, marked so in the row where the source may write, and reported so where it may
 * not. A row that cannot be read is counted, logged, and told to the caller once per spell, never
 * swallowed; the caller's {@link Step} decides whether that ends the wait. Pauses between looks end
 * early on {@link Pacer#wake()}.
 */
public final class JobWatcher {
  private static final Logger LOG = LoggerFactory.getLogger(JobWatcher.class);

  /** How often a row is read when nothing wakes the watcher. */
  public static final Duration DEFAULT_POLL = Duration.ofMillis(200);

  /** What the waiting code decides at each look; returning non-null ends the wait. */
  public interface Step<R> {
    /** The row as just read (an expired lease already shown as agent lost). */
    R onRow(Job row);

    /**
     * The row could not be read now ({@code last} is the last row seen, or null). Default: wait on
     * until the deadline.
     */
    default R onUnreadable(DbJobsException e, Job last) {
      return null;
    }

    /** The node's table does not hold the row now. Default: wait on until the deadline. */
    default R onMissing(Job last) {
      return null;
    }

    /** Something worth telling the user: an unreachable spell, its end, a lost agent. */
    default void note(String message) {}
  }

  private final JobSource source;
  private final String observer;
  private final Pacer pacer;
  private final Duration poll;
  private final Consumer<DbJobsException> readErrors;

  /**
   * @param observer who waits, for "noticed by" in a lost job's result
   * @param readErrors told of every failed read (a metrics counter), besides the log
   */
  public JobWatcher(
      JobSource source,
      String observer,
      Pacer pacer,
      Duration poll,
      Consumer<DbJobsException> readErrors) {
    this.source = source;
    this.observer = observer;
    this.pacer = pacer;
    this.poll = poll;
    this.readErrors = readErrors;
  }

  public JobWatcher(JobSource source, String observer, Pacer pacer) {
    this(source, observer, pacer, DEFAULT_POLL, e -> {});
  }

  public Pacer pacer() {
    return pacer;
  }

  /** Waits until the job reaches a final state (or FINISHED, the agent's part done). */
  public Job awaitEnd(JobRef ref, Duration timeout, Consumer<Job> progress)
      throws InterruptedException {
    return await(
        ref,
        timeout,
        new Step<Job>() {
          @Override
          public Job onRow(Job row) {
            progress.accept(row);
            return row.state().isFinal() || row.state() == JobState.FINISHED ? row : null;
          }
        });
  }

  /**
   * Looks at the job until {@code step} returns a result.
   *
   * @throws DbJobsException TIMEOUT naming the job, its last state and phase, when {@code timeout}
   *     passes first
   */
  public <R> R await(JobRef ref, Duration timeout, Step<R> step) throws InterruptedException {
    long start = System.nanoTime();
    long deadline = start + timeout.toNanos();
    Job last = null;
    String spell = null;
    int failedReads = 0;
    while (true) {
      // what the step throws (a refusal it read in the row) ends the wait; only reading is retried
      Job seen = null;
      try {
        Optional<Job> read = source.read(ref);
        if (read.isPresent()) {
          Job row = read.get();
          if (spell != null && !spell.equals("missing")) {
            String who =
                spell.equals(ErrorCode.DAEMON_UNREACHABLE.name())
                    ? "the dbjobs daemon"
                    : ref.node();
            step.note(who + " answers again (after " + failedReads + " failed reads)");
          }
          spell = null;
          if (row.leaseExpired() && row.state().isActive()) {
            row = lost(ref, row, step);
          }
          last = row;
          seen = row;
        } else {
          if (!"missing".equals(spell)) {
            step.note(
                "the jobs table of "
                    + ref.node()
                    + " does not hold "
                    + ref
                    + " now (a physical restore puts it back); still waiting");
            spell = "missing";
          }
          R r = step.onMissing(last);
          if (r != null) {
            return r;
          }
        }
      } catch (DbJobsException e) {
        failedReads++;
        readErrors.accept(e);
        String kind =
            e.code() == ErrorCode.DAEMON_UNREACHABLE || !SqlErrors.isConnectionLoss(e)
                ? e.code().name()
                : "unreachable";
        LOG.debug("reading {} failed ({} so far): {}", ref, failedReads, e.getMessage());
        if (!kind.equals(spell)) {
          step.note(
              "cannot read "
                  + ref
                  + " ("
                  + (SqlErrors.isConnectionLoss(e) ? SqlErrors.message(e) : e.getMessage())
                  + "); still waiting");
          spell = kind;
        }
        R r = step.onUnreadable(e, last);
        if (r != null) {
          return r;
        }
      }
      if (seen != null) {
        R r = step.onRow(seen);
        if (r != null) {
          return r;
        }
      }
      long now = System.nanoTime();
      if (now >= deadline) {
        throw timeout(ref, timeout, last);
      }
      pacer.pause(Duration.ofNanos(Math.min(poll.toNanos(), deadline - now)));
    }
  }

  /** A row whose lease expired: marked lost where the source may write, shown lost anyway. */
  private Job lost(JobRef ref, Job row, Step<?> step) {
    String how;
    if (source.markLost(ref, observer)) {
      Optional<Job> again = source.read(ref);
      if (again.isPresent() && again.get().state().isFinal()) {
        step.note(ref + ": " + again.get().result());
        return again.get();
      }
      how = "marked lost";
    } else {
      how = "its owner marks it lost";
    }
    String result =
        "agent lost: "
            + (row.leaseOwner() == null ? "its agent" : row.leaseOwner())
            + " stopped renewing its lease (expired "
            + row.leaseExpires()
            + ") during phase '"
            + row.phase()
            + "'; "
            + how
            + ". The job was not re-run: check the node, then submit it again.";
    step.note(ref + ": " + result);
    return new Job(
        row.id(),
        row.task(),
        JobState.FAILED,
        row.idempotencyKey(),
        row.paramsJson(),
        row.server(),
        row.port(),
        row.attempts(),
        row.leaseOwner(),
        row.leaseExpires(),
        row.cancelRequested(),
        row.phase(),
        row.bytesDone(),
        row.bytesTotal(),
        row.digest(),
        ErrorCode.AGENT_LOST.name(),
        result,
        row.submittedBy(),
        row.created(),
        row.started(),
        row.ended(),
        row.updated(),
        false,
        row.seal());
  }

  private static DbJobsException timeout(JobRef ref, Duration timeout, Job last) {
    return new DbJobsException(
        ErrorCode.TIMEOUT,
        ref
            + (last == null
                ? " was never read"
                : " (job "
                    + last.id()
                    + ") is still "
                    + last.state().label()
                    + (last.phase() == null ? "" : " in phase '" + last.phase() + "'"))
            + " after "
            + Durations.human(timeout)
            + " of waiting"
            + (last == null
                ? ""
                : "; it goes on: follow it with dbjobs jobs --node "
                    + ref.node()
                    + " "
                    + last.id()));
  }
}
