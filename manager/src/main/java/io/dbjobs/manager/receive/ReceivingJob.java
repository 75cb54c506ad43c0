package io.dbjobs.manager.receive;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.job.Job;
import io.dbjobs.common.job.JobRef;
import io.dbjobs.common.job.JobState;
import io.dbjobs.common.job.NewJob;
import io.dbjobs.common.job.Task;
import io.dbjobs.common.job.TaskStreamParams;
import io.dbjobs.common.stream.ReceiveResult;
import io.dbjobs.common.stream.SinkFactory;
import io.dbjobs.common.stream.StreamProgress;
import io.dbjobs.common.time.Durations;
import io.dbjobs.common.time.Steps;
import io.dbjobs.common.units.Sizes;
import io.dbjobs.common.watch.JobWatcher;
import io.dbjobs.common.watch.Pacer;
import io.dbjobs.manager.config.NodeConfig;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
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

  /**
   * Once the stream is stored, the agent writes its row's end as soon as it has the ACK: the row is
   * read again after this, then twice as long each time ({@link #SETTLE_READS} times), instead of
   * after a whole {@link #POLL}.
   */
  static final Duration SETTLE_FIRST = Duration.ofMillis(10);

  static final int SETTLE_READS = 6;

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
  private final Duration poll;
  private final Duration grace;

  public ReceivingJob(Receiver receiver, NodeJobs jobs) {
    this(receiver, jobs, POLL, GRACE);
  }

  ReceivingJob(Receiver receiver, NodeJobs jobs, Duration poll, Duration grace) {
    this.receiver = receiver;
    this.jobs = jobs;
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
    Receiver.Expectation exp = receiver.expect(streamId, r.sinks(), progress::set, r.node());
    String key = r.idempotencyKey() != null ? r.idempotencyKey() : "dbjobs:" + streamId;
    JobRef ref = new JobRef(r.node().name(), key, r.task());
    Job job;
    try {
      job =
          jobs.submit(
              r.node(),
              new NewJob(
                  r.task(),
                  valid,
                  key,
                  receiver.advertisedHost(),
                  receiver.advertisedPort(),
                  receiver.identity(),
                  exp.secretHex(),
                  r.submittedBy()));
    } catch (RuntimeException e) {
      exp.stream().cancel();
      throw e;
    }
    Steps.mark("job submitted");
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
      Outcome o = follow(r, ref, w, exp, job, progress);
      ended = true;
      return o;
    } finally {
      if (!ended) {
        // cleaning up must work on an interrupted thread too (Ctrl-C): JDBC refuses those
        boolean interrupted = Thread.interrupted();
        exp.stream().cancel();
        cancelJob(r, ref);
        if (interrupted) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }

  /** Where a follow ended: the job's last row, and whether this side cancelled the stream. */
  private record Followed(Job job, boolean cancelledByUs) {}

  private Outcome follow(
      Request r,
      JobRef ref,
      Watcher w,
      Receiver.Expectation exp,
      Job submitted,
      AtomicReference<StreamProgress> progress)
      throws InterruptedException {
    CompletableFuture<ReceiveResult> result = exp.stream().result();
    Pacer pacer = new Pacer();
    result.whenComplete(
        (ok, failed) -> {
          Steps.mark(failed == null ? "stream stored" : "stream failed");
          pacer.wake();
        });
    JobWatcher watcher =
        new JobWatcher(jobs.source(r.node()), "dbjobs manager", pacer, poll, e -> {});
    long start = System.nanoTime();
    long[] streamDoneAt = {0};
    long[] jobDoneAt = {0};
    boolean[] notedQueued = {false};
    int[] settleReads = {0};
    Job[] last = {submitted};
    Followed f;
    try {
      f =
          watcher.await(
              ref,
              r.timeout(),
              new JobWatcher.Step<Followed>() {
                @Override
                public Followed onRow(Job job) {
                  last[0] = job;
                  w.update(job, progress.get());
                  return decide(job);
                }

                @Override
                public Followed onUnreadable(DbJobsException e, Job lastSeen) {
                  w.update(last[0], progress.get());
                  // the stream was stored, the row is out of reach: the outcome stands without it
                  return decide(null);
                }

                @Override
                public Followed onMissing(Job lastSeen) {
                  return decide(null);
                }

                @Override
                public void note(String message) {
                  w.note(message);
                }

                /** The follow's end, or null to look again; {@code job} null: not readable now. */
                private Followed decide(Job job) {
                  long now = System.nanoTime();
                  boolean streamDone = result.isDone();
                  if (streamDone && streamDoneAt[0] == 0) {
                    streamDoneAt[0] = now;
                  }
                  if (job == null) {
                    return streamDone && now - streamDoneAt[0] > grace.toNanos()
                        ? new Followed(last[0], false)
                        : null;
                  }
                  boolean jobFinal = agentDone(job);
                  if (streamDone && jobFinal) {
                    return new Followed(job, false);
                  }
                  if (jobFinal && jobDoneAt[0] == 0) {
                    jobDoneAt[0] = now;
                  }
                  if (jobFinal) {
                    boolean failed =
                        job.errorCode() != null
                            || (job.state() != JobState.SUCCEEDED
                                && job.state() != JobState.FINISHED);
                    if ((failed && !exp.stream().isConnected())
                        || now - jobDoneAt[0] > grace.toNanos()) {
                      // the job is over: no stream will come (or what came will not complete)
                      return new Followed(job, exp.stream().cancel());
                    }
                  } else if (streamDone) {
                    if (now - streamDoneAt[0] > grace.toNanos()) {
                      if (result.isCompletedExceptionally()) {
                        cancelJob(r, ref);
                      }
                      return new Followed(job, false);
                    }
                    if (settleReads[0] < SETTLE_READS) {
                      // the row's end follows the ACK within milliseconds: look again soon
                      long delay = SETTLE_FIRST.toMillis() << settleReads[0]++;
                      CompletableFuture.delayedExecutor(delay, TimeUnit.MILLISECONDS)
                          .execute(pacer::wake);
                    }
                  } else if (job.state() == JobState.QUEUED
                      && !notedQueued[0]
                      && now - start > QUEUED_NOTE_AFTER.toNanos()) {
                    w.note(
                        "job "
                            + job.id()
                            + " is still queued on "
                            + r.node().name()
                            + " after "
                            + Durations.human(QUEUED_NOTE_AFTER)
                            + ": is its dbjobs-agent running? (dbjobs nodes shows the queue)");
                    notedQueued[0] = true;
                  }
                  return null;
                }
              });
    } catch (DbJobsException e) {
      if (e.code() == ErrorCode.TIMEOUT) {
        throw timeout(r, last[0], progress.get());
      }
      throw e;
    }
    Job job = f.job();
    Steps.afterJobEnd("job end seen", job.ended());
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
    if (!agentDone(job)) {
      cancelJob(r, ref);
    }
    throw failure(r, job, streamError, f.cancelledByUs(), progress.get());
  }

  /**
   * Whether the agent is done with the job: a final state, or FINISHED (the agent's part is over; a
   * receiving job's post-processing already happened in the sink, before the ACK).
   */
  static boolean agentDone(Job j) {
    return j.state().isFinal() || j.state() == JobState.FINISHED;
  }

  private void cancelJob(Request r, JobRef ref) {
    try {
      jobs.cancel(r.node(), ref, "dbjobs manager (its stream failed or was given up)");
      LOG.info("cancel requested for {}", ref);
    } catch (DbJobsException e) {
      LOG.warn(
          "could not cancel {}: {}; cancel it with dbjobs cancel --node {} <id>",
          ref,
          e.getMessage(),
          r.node().name());
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
