package io.dbjobs.manager.receive;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.db.SqlErrors;
import io.dbjobs.common.job.Job;
import io.dbjobs.common.job.JobState;
import io.dbjobs.common.job.NewJob;
import io.dbjobs.common.job.Task;
import io.dbjobs.common.job.TaskStreamParams;
import io.dbjobs.common.stream.ReceiveResult;
import io.dbjobs.common.stream.SinkFactory;
import io.dbjobs.common.stream.StreamProgress;
import io.dbjobs.common.time.Durations;
import io.dbjobs.common.time.Sleeper;
import io.dbjobs.common.units.Sizes;
import io.dbjobs.manager.config.NodeConfig;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one job whose bytes come back to this manager: registers the expected stream (fresh id and
 * secret), enqueues the job on the node with this receiver's address and the secret in its row,
 * then waits for both the job's end and the stream's result, reporting progress from both.
 *
 * <p>It returns once the stream was stored (its sink finished, the ACK went out). Otherwise it
 * throws one {@link DbJobsException} naming what failed: the receiver's error (digest mismatch,
 * cut, disk full, the sender's abort...) and the job's state, error code and result. On every
 * failure, timeout or interrupt it leaves nothing behind: the expected stream is cancelled (its
 * sink aborted) and a job still queued or running is cancelled.
 */
public final class ReceivingJob {
  private static final Logger LOG = LoggerFactory.getLogger(ReceivingJob.class);
  private static final SecureRandom RANDOM = new SecureRandom();

  /** How often the job row is read while waiting. */
  static final Duration POLL = Duration.ofMillis(200);

  /**
   * How long one side may lag behind the other: a job that ended while its stream is still being
   * handled, or a stream that failed while its job still runs.
   */
  static final Duration GRACE = Duration.ofSeconds(30);

  /** After this long in the queue, the watcher is told the node's agent may not be running. */
  static final Duration QUEUED_NOTE_AFTER = Duration.ofSeconds(30);

  /** Sees a receiving job's progress; called on the waiting thread. */
  public interface Watcher {
    Watcher NONE = new Watcher() {};

    /** The job was enqueued. */
    default void submitted(Job job) {}

    /**
     * The job row as last read, and the stream's progress as the receiver counts it (null until the
     * first bytes arrived).
     */
    default void update(Job job, StreamProgress received) {}

    /** Something worth telling the user (the agent seems absent, the node stopped answering). */
    default void note(String message) {}
  }

  /**
   * What to run.
   *
   * @param params task parameters without {@code stream-id} (added here)
   * @param sinks where the stream goes; opened only once the sender authenticated
   * @param timeout the longest the whole job may take; then it is cancelled
   * @param idempotencyKey the job's key (a schedule's run), or null for a fresh one
   */
  public record Request(
      NodeConfig node,
      Task task,
      Map<String, String> params,
      SinkFactory sinks,
      String submittedBy,
      Duration timeout,
      String idempotencyKey) {
    public Request {
      Objects.requireNonNull(node, "node");
      Objects.requireNonNull(task, "task");
      params = Map.copyOf(params);
      Objects.requireNonNull(sinks, "sinks");
      Objects.requireNonNull(timeout, "timeout");
    }

    /** A request whose job gets a fresh idempotency key. */
    public Request(
        NodeConfig node,
        Task task,
        Map<String, String> params,
        SinkFactory sinks,
        String submittedBy,
        Duration timeout) {
      this(node, task, params, sinks, submittedBy, timeout, null);
    }
  }

  /**
   * A stream received and stored.
   *
   * @param job the job row as last read; normally succeeded, but it may still be running or have
   *     failed after the stream was acknowledged (see {@link #jobProblem()})
   */
  public record Outcome(Job job, ReceiveResult received) {
    /** True when the agent reported success (SUCCEEDED, or FINISHED without an error). */
    public boolean jobSucceeded() {
      return agentDone(job) && job.errorCode() == null;
    }

    /** Null when the job succeeded; else what is wrong with it although its stream was stored. */
    public String jobProblem() {
      if (jobSucceeded()) {
        return null;
      }
      return "job "
          + job.id()
          + " "
          + (agentDone(job)
              ? job.state().label()
              : "is still " + job.state().label() + " (phase '" + job.phase() + "')")
          + (job.errorCode() == null ? "" : " (" + job.errorCode() + ")")
          + (job.result() == null ? "" : ": " + job.result());
    }
  }

  private final Receiver receiver;
  private final NodeJobs jobs;
  private final Sleeper sleeper;
  private final Duration poll;
  private final Duration grace;

  public ReceivingJob(Receiver receiver, NodeJobs jobs, Sleeper sleeper) {
    this(receiver, jobs, sleeper, POLL, GRACE);
  }

  ReceivingJob(Receiver receiver, NodeJobs jobs, Sleeper sleeper, Duration poll, Duration grace) {
    this.receiver = receiver;
    this.jobs = jobs;
    this.sleeper = sleeper;
    this.poll = poll;
    this.grace = grace;
  }

  /** A new stream id: {@code <task>/<node>/<random>}, also the job's idempotency key. */
  static String newStreamId(Task task, NodeConfig node) {
    byte[] b = new byte[6];
    RANDOM.nextBytes(b);
    return task.wireName() + "/" + node.name() + "/" + HexFormat.of().formatHex(b);
  }

  /**
   * Runs the job and waits for its stream.
   *
   * @throws DbJobsException what failed, see the class comment; TIMEOUT after {@code timeout}
   * @throws InterruptedException when the waiting thread is interrupted (job and stream cancelled)
   */
  public Outcome run(Request r, Watcher w) throws InterruptedException {
    String streamId = newStreamId(r.task(), r.node());
    Map<String, String> params = new LinkedHashMap<>(r.params());
    params.put(TaskStreamParams.STREAM_ID, streamId);
    Map<String, String> valid = r.task().validate(params);
    AtomicReference<StreamProgress> progress = new AtomicReference<>();
    Receiver.Expectation exp = receiver.expect(streamId, r.sinks(), progress::set);
    Job job;
    try {
      job =
          jobs.submit(
              r.node(),
              new NewJob(
                  r.task(),
                  valid,
                  r.idempotencyKey() != null ? r.idempotencyKey() : "dbjobs:" + streamId,
                  receiver.advertisedHost(),
                  receiver.advertisedPort(),
                  exp.secretHex(),
                  r.submittedBy()));
    } catch (RuntimeException e) {
      exp.stream().cancel();
      throw e;
    }
    LOG.info(
        "job {} ({} on {}) will send stream {} to {}",
        job.id(),
        r.task(),
        r.node().name(),
        streamId,
        receiver.advertisedAddress());
    boolean ended = false;
    try {
      w.submitted(job);
      Outcome o = follow(r, w, exp, job, progress);
      ended = true;
      return o;
    } finally {
      if (!ended) {
        // cleaning up must work on an interrupted thread too (Ctrl-C): JDBC refuses those
        boolean interrupted = Thread.interrupted();
        exp.stream().cancel();
        cancelJob(r, job.id());
        if (interrupted) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }

  private Outcome follow(
      Request r,
      Watcher w,
      Receiver.Expectation exp,
      Job submitted,
      AtomicReference<StreamProgress> progress)
      throws InterruptedException {
    long start = System.nanoTime();
    long deadline = start + r.timeout().toNanos();
    long streamDoneAt = 0;
    long jobDoneAt = 0;
    boolean notedQueued = false;
    boolean unreachable = false;
    boolean cancelledByUs = false;
    Job job = submitted;
    CompletableFuture<ReceiveResult> result = exp.stream().result();
    while (true) {
      boolean streamDone = result.isDone();
      try {
        job = jobs.find(r.node(), job.id());
        if (unreachable) {
          w.note(r.node().name() + " answers again");
          unreachable = false;
        }
      } catch (DbJobsException e) {
        if (e.code() == ErrorCode.NOT_FOUND) {
          throw e;
        }
        if (!unreachable) {
          w.note(
              "cannot read job "
                  + job.id()
                  + " on "
                  + r.node().name()
                  + " ("
                  + (SqlErrors.isConnectionLoss(e) ? SqlErrors.message(e) : e.getMessage())
                  + "); still waiting");
          unreachable = true;
        }
      }
      w.update(job, progress.get());
      boolean jobFinal = agentDone(job);
      if (streamDone && jobFinal) {
        break;
      }
      long now = System.nanoTime();
      if (streamDone && streamDoneAt == 0) {
        streamDoneAt = now;
      }
      if (jobFinal && jobDoneAt == 0) {
        jobDoneAt = now;
      }
      if (jobFinal) {
        boolean failed =
            job.errorCode() != null
                || (job.state() != JobState.SUCCEEDED && job.state() != JobState.FINISHED);
        if ((failed && !exp.stream().isConnected()) || now - jobDoneAt > grace.toNanos()) {
          // the job is over: no stream will come (or what came will not complete)
          cancelledByUs = exp.stream().cancel();
          break;
        }
      } else if (streamDone) {
        if (now - streamDoneAt > grace.toNanos()) {
          if (result.isCompletedExceptionally()) {
            cancelJob(r, job.id());
            job = readQuietly(r, job);
          }
          break;
        }
      } else if (job.state() == JobState.QUEUED
          && !notedQueued
          && now - start > QUEUED_NOTE_AFTER.toNanos()) {
        w.note(
            "job "
                + job.id()
                + " is still queued on "
                + r.node().name()
                + " after "
                + Durations.human(QUEUED_NOTE_AFTER)
                + ": is its dbjobs-agent running? (dbjobs nodes shows the queue)");
        notedQueued = true;
      }
      if (now > deadline) {
        throw timeout(r, job, progress.get());
      }
      sleeper.sleep(poll);
    }
    ReceiveResult received = null;
    DbJobsException streamError = null;
    try {
      received = result.join();
    } catch (CompletionException | java.util.concurrent.CancellationException e) {
      streamError =
          DbJobsException.from(
              e instanceof CompletionException ? e.getCause() : e, "stream " + exp.streamId());
    }
    if (received != null) {
      if (job.errorCode() != null || !agentDone(job)) {
        LOG.warn(
            "stream {} was stored, but job {} on {} is {}: {}",
            exp.streamId(),
            job.id(),
            r.node().name(),
            job.state().label(),
            job.result());
      }
      return new Outcome(job, received);
    }
    throw failure(r, job, streamError, cancelledByUs, progress.get());
  }

  /**
   * Whether the agent is done with the job: a final state, or FINISHED (the agent's part is over; a
   * receiving job's post-processing already happened in the sink, before the ACK).
   */
  static boolean agentDone(Job j) {
    return j.state().isFinal() || j.state() == JobState.FINISHED;
  }

  private Job readQuietly(Request r, Job job) {
    try {
      return jobs.find(r.node(), job.id());
    } catch (DbJobsException e) {
      return job;
    }
  }

  private void cancelJob(Request r, long id) {
    try {
      Job j = jobs.find(r.node(), id);
      if (!agentDone(j)) {
        jobs.cancel(r.node(), id, "dbjobs manager (its stream failed or was given up)");
        LOG.info("cancelled job {} ({} on {})", id, r.task(), r.node().name());
      }
    } catch (DbJobsException e) {
      LOG.warn(
          "could not cancel job {} on {}: {}; cancel it with dbjobs cancel --node {} {}",
          id,
          r.node().name(),
          e.getMessage(),
          r.node().name(),
          id);
    }
  }

  /** The failure of a job whose stream did not arrive whole, naming both sides. */
  static DbJobsException failure(
      Request r,
      Job job,
      DbJobsException streamError,
      boolean cancelledByUs,
      StreamProgress progress) {
    String jobPart =
        "job "
            + job.id()
            + " on "
            + r.node().name()
            + " "
            + job.state().label()
            + (job.errorCode() == null ? "" : " (" + job.errorCode() + ")")
            + (job.result() == null || job.result().isBlank() ? "" : ": " + job.result());
    boolean streamIsCause =
        streamError != null && !cancelledByUs && streamError.code() != ErrorCode.CANCELLED;
    String streamPart;
    if (streamIsCause) {
      streamPart = "the receiver: " + streamError.getMessage();
    } else if (progress != null && progress.bytes() > 0) {
      streamPart =
          "the receiver discarded the "
              + Sizes.human(progress.bytes())
              + " it had received (the stream did not complete)";
    } else {
      streamPart = "the receiver got no stream";
    }
    ErrorCode code;
    if (streamIsCause) {
      code = streamError.code();
    } else if (job.errorCode() != null) {
      code = ErrorCode.fromRow(job.errorCode());
    } else if (agentDone(job)) {
      code = ErrorCode.STREAM_CUT;
      jobPart += " although its stream never completed here";
    } else {
      code = streamError != null ? streamError.code() : ErrorCode.INTERNAL;
    }
    String head = r.task().wireName() + " of " + r.node().name() + " failed: ";
    String message =
        streamIsCause ? head + streamPart + "; " + jobPart : head + jobPart + "; " + streamPart;
    return new DbJobsException(code, message, streamError);
  }

  private static DbJobsException timeout(Request r, Job job, StreamProgress progress) {
    return new DbJobsException(
        ErrorCode.TIMEOUT,
        r.task().wireName()
            + " of "
            + r.node().name()
            + " not done after "
            + Durations.human(r.timeout())
            + ": job "
            + job.id()
            + " is "
            + job.state().label()
            + (job.phase() == null ? "" : " (phase '" + job.phase() + "')")
            + (progress == null
                ? ", no bytes received"
                : ", " + Sizes.human(progress.bytes()) + " received")
            + "; the job is cancelled and what was received is discarded");
  }
}
