package io.dbjobs.manager.backup;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.job.Job;
import io.dbjobs.common.job.TaskStreamParams;
import io.dbjobs.common.stream.Compression;
import io.dbjobs.common.stream.StreamProgress;
import io.dbjobs.common.time.Steps;
import io.dbjobs.manager.catalog.BackupCatalog;
import io.dbjobs.manager.catalog.BackupEntry;
import io.dbjobs.manager.catalog.BackupType;
import io.dbjobs.manager.catalog.DataLayout;
import io.dbjobs.manager.catalog.RetentionPolicy;
import io.dbjobs.manager.config.NodeConfig;
import io.dbjobs.manager.receive.NodeJobs;
import io.dbjobs.manager.receive.Receiver;
import io.dbjobs.manager.receive.ReceivingJob;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes a backup of a node into the catalog: reserves the backup's folder, has the node's agent run
 * {@code backup-physical} or {@code backup-logical} and stream the result here ({@link
 * ReceivingJob}), and once the backup is stored (manifest written) applies retention to that node's
 * backups of that type. On any failure the folder is removed and the job cancelled if it still
 * runs; the exception names what failed (the job's error code and result, the receiver's).
 */
public final class TakeBackup {
  private static final Logger LOG = LoggerFactory.getLogger(TakeBackup.class);
  private static final Duration TOUCH_EVERY = Duration.ofMinutes(1);

  /**
   * A backup to take.
   *
   * @param wireCompression compression on the wire
   * @param contentCompression logical backups: {@code zstd} (default) or {@code none}
   * @param extraParams further task parameters, e.g. {@code parallel} or {@code databases}
   * @param timeout the longest the whole backup may take
   */
  public record Request(
      NodeConfig node,
      BackupType type,
      Compression wireCompression,
      String contentCompression,
      Map<String, String> extraParams,
      Duration timeout,
      String submittedBy,
      String idempotencyKey) {
    public Request {
      Objects.requireNonNull(node, "node");
      Objects.requireNonNull(type, "type");
      wireCompression = wireCompression == null ? Compression.NONE : wireCompression;
      contentCompression = contentCompression == null ? "zstd" : contentCompression;
      extraParams = extraParams == null ? Map.of() : Map.copyOf(extraParams);
      Objects.requireNonNull(timeout, "timeout");
    }

    /** A request whose job gets a fresh idempotency key. */
    public Request(
        NodeConfig node,
        BackupType type,
        Compression wireCompression,
        String contentCompression,
        Map<String, String> extraParams,
        Duration timeout,
        String submittedBy) {
      this(
          node, type, wireCompression, contentCompression, extraParams, timeout, submittedBy, null);
    }
  }

  /**
   * A backup taken.
   *
   * @param job the agent's job as last read
   * @param jobProblem null when the job succeeded; else what is wrong with it (the backup itself is
   *     stored and verified)
   * @param retention what retention then did to the node's backups of this type
   * @param retentionProblem null, or why retention could not be applied
   */
  public record Result(
      BackupEntry backup,
      Job job,
      String jobProblem,
      PruneBackups.Applied retention,
      String retentionProblem) {}

  private final ReceivingJob receiving;
  private final BackupCatalog catalog;
  private final PruneBackups prune;
  private final Clock clock;

  public TakeBackup(
      Receiver receiver,
      NodeJobs jobs,
      BackupCatalog catalog,
      RetentionPolicy retention,
      Clock clock) {
    this(new ReceivingJob(receiver, jobs), catalog, retention, clock);
  }

  TakeBackup(
      ReceivingJob receiving, BackupCatalog catalog, RetentionPolicy retention, Clock clock) {
    this.receiving = receiving;
    this.catalog = catalog;
    this.prune = new PruneBackups(catalog, retention, clock);
    this.clock = clock;
  }

  /**
   * Takes the backup and waits until it is stored.
   *
   * @throws DbJobsException what failed; nothing of the backup is left in the catalog
   * @throws InterruptedException when the waiting thread is interrupted (the job is cancelled and
   *     the backup discarded)
   */
  public Result run(Request r, ReceivingJob.Watcher watcher) throws InterruptedException {
    Map<String, String> params = new LinkedHashMap<>(r.extraParams());
    params.put(TaskStreamParams.COMPRESSION, r.wireCompression().wireName());
    // a logical backup is a parallel dump (format parts, the default) or one SQL file (format sql)
    String format =
        r.type() == BackupType.LOGICAL
            ? r.type().task().validate(withStreamId(params)).get(TaskStreamParams.FORMAT)
            : null;
    DataLayout layout = DataLayout.of(r.type(), r.contentCompression(), format);
    if (r.type() == BackupType.LOGICAL && !layout.parts()) {
      params.put(TaskStreamParams.CONTENT_COMPRESSION, layout.contentCompression());
    }
    r.type().task().validate(withStreamId(params));
    BackupCatalog.Reservation res =
        catalog.reserve(r.node().cluster(), r.node().name(), r.type(), clock.instant());
    CompletableFuture<Long> jobId = new CompletableFuture<>();
    ReceivingJob.Outcome o;
    try {
      o =
          receiving.run(
              new ReceivingJob.Request(
                  r.node(),
                  r.type().task(),
                  params,
                  catalog.sink(res, layout, jobId),
                  r.submittedBy(),
                  r.timeout(),
                  r.idempotencyKey()),
              new Watcher(watcher, jobId, res));
    } finally {
      jobId.complete(null);
      catalog.release(res);
    }
    BackupEntry stored =
        catalog
            .find(res.id())
            .filter(BackupEntry::complete)
            .orElseThrow(
                () ->
                    new DbJobsException(
                        ErrorCode.CATALOG_ERROR,
                        "backup "
                            + res.id()
                            + " was acknowledged to the agent but its manifest is missing from "
                            + res.dir()));
    Steps.afterJobEnd("backup found in the catalog", o.job().ended());
    PruneBackups.Applied applied = null;
    String retentionProblem = null;
    try {
      applied = prune.apply(prune.plan(r.node().cluster(), r.node().name(), r.type()));
      if (!applied.failures().isEmpty()) {
        retentionProblem = "retention could not delete " + applied.failures();
      }
    } catch (DbJobsException e) {
      retentionProblem = "retention failed: " + e.getMessage();
      LOG.warn("backup {} stored; {}", stored.id(), retentionProblem);
    }
    Steps.afterJobEnd("retention applied", o.job().ended());
    return new Result(stored, o.job(), o.jobProblem(), applied, retentionProblem);
  }

  private static Map<String, String> withStreamId(Map<String, String> params) {
    Map<String, String> p = new LinkedHashMap<>(params);
    p.put(TaskStreamParams.STREAM_ID, "check");
    return p;
  }

  /** Passes progress on, records the job id for the manifest, keeps the folder's time fresh. */
  private final class Watcher implements ReceivingJob.Watcher {
    private final ReceivingJob.Watcher next;
    private final CompletableFuture<Long> jobId;
    private final BackupCatalog.Reservation res;
    private long touched = System.nanoTime();

    Watcher(
        ReceivingJob.Watcher next, CompletableFuture<Long> jobId, BackupCatalog.Reservation res) {
      this.next = next;
      this.jobId = jobId;
      this.res = res;
    }

    @Override
    public void submitted(Job job) {
      jobId.complete(job.id());
      next.submitted(job);
    }

    @Override
    public void update(Job job, StreamProgress received) {
      long now = System.nanoTime();
      if (now - touched > TOUCH_EVERY.toNanos()) {
        touched = now;
        try {
          Files.setLastModifiedTime(res.dir(), FileTime.from(clock.instant()));
        } catch (IOException e) {
          LOG.debug("cannot touch {}: {}", res.dir(), e.toString());
        }
      }
      next.update(job, received);
    }

    @Override
    public void note(String message) {
      next.note(message);
    }
  }
}
