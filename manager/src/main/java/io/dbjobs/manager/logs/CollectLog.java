package io.dbjobs.manager.logs;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.job.Job;
import io.dbjobs.common.job.TaskStreamParams;
import io.dbjobs.common.stream.Compression;
import io.dbjobs.common.stream.StreamProgress;
import io.dbjobs.manager.config.NodeConfig;
import io.dbjobs.manager.receive.NodeJobs;
import io.dbjobs.manager.receive.Receiver;
import io.dbjobs.manager.receive.ReceivingJob;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * Collects a node's error or slow query log: the node's agent runs {@code errorlog} or {@code
 * slowquery} and streams the log here; it is stored under the catalog ({@link LogStore}). With
 * {@code rotate}, the agent rotates the log only after this side acknowledged a verified copy.
 */
public final class CollectLog {
  /**
   * A log to collect.
   *
   * @param rotate whether the agent rotates the log once the copy is stored
   */
  public record Request(
      NodeConfig node,
      LogKind kind,
      boolean rotate,
      Compression wireCompression,
      Duration timeout,
      String submittedBy,
      String idempotencyKey) {
    public Request {
      Objects.requireNonNull(node, "node");
      Objects.requireNonNull(kind, "kind");
      wireCompression = wireCompression == null ? Compression.ZSTD : wireCompression;
      Objects.requireNonNull(timeout, "timeout");
    }

    /** A request whose job gets a fresh idempotency key. */
    public Request(
        NodeConfig node,
        LogKind kind,
        boolean rotate,
        Compression wireCompression,
        Duration timeout,
        String submittedBy) {
      this(node, kind, rotate, wireCompression, timeout, submittedBy, null);
    }
  }

  /**
   * A log collected.
   *
   * @param jobProblem null when the job succeeded; else what went wrong after the copy was stored
   *     (e.g. the rotation failed)
   */
  public record Result(LogCopy copy, Job job, String jobProblem) {}

  private final ReceivingJob receiving;
  private final LogStore store;
  private final Clock clock;

  public CollectLog(Receiver receiver, NodeJobs jobs, LogStore store, Clock clock) {
    this.receiving = new ReceivingJob(receiver, jobs);
    this.store = store;
    this.clock = clock;
  }

  /**
   * Collects the log and waits until it is stored.
   *
   * @throws DbJobsException what failed; nothing of the copy is left behind
   * @throws InterruptedException when interrupted (the job is cancelled, the copy discarded)
   */
  public Result run(Request r, ReceivingJob.Watcher watcher) throws InterruptedException {
    Map<String, String> params = new LinkedHashMap<>();
    params.put(TaskStreamParams.COMPRESSION, r.wireCompression().wireName());
    params.put(TaskStreamParams.ROTATE, Boolean.toString(r.rotate()));
    CompletableFuture<Long> jobId = new CompletableFuture<>();
    ReceivingJob.Outcome o;
    try {
      o =
          receiving.run(
              new ReceivingJob.Request(
                  r.node(),
                  r.kind().task(),
                  params,
                  store.sink(r.node(), r.kind(), clock.instant(), jobId),
                  r.submittedBy(),
                  r.timeout(),
                  r.idempotencyKey()),
              new ReceivingJob.Watcher() {
                @Override
                public void submitted(Job job) {
                  jobId.complete(job.id());
                  watcher.submitted(job);
                }

                @Override
                public void update(Job job, StreamProgress received) {
                  watcher.update(job, received);
                }

                @Override
                public void note(String message) {
                  watcher.note(message);
                }
              });
    } finally {
      jobId.complete(null);
    }
    String streamId = o.received().streamId();
    LogCopy copy =
        store.list(r.node().cluster(), r.node().name(), r.kind()).stream()
            .filter(c -> streamId.equals(c.streamId()))
            .findFirst()
            .orElseThrow(
                () ->
                    new DbJobsException(
                        ErrorCode.CATALOG_ERROR,
                        "the "
                            + r.kind()
                            + " log of "
                            + r.node().name()
                            + " was acknowledged but its copy is missing from "
                            + store.dir(r.node().cluster(), r.node().name(), r.kind())));
    return new Result(copy, o.job(), o.jobProblem());
  }
}
