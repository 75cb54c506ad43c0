package io.dbjobs.agent.loop;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.db.SqlErrors;
import io.dbjobs.common.job.JobOutcome;
import io.dbjobs.common.job.JobParams;
import io.dbjobs.common.job.JobState;
import io.dbjobs.common.job.NewJob;
import io.dbjobs.common.job.Task;
import io.dbjobs.common.jobs.AgentJobs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Outcomes the agent could not write because its database was unreachable: a {@code stop} job's own
 * outcome, always, and jobs run while the database was down ({@code start} submitted through the
 * agent's HTTP endpoint), which have no row yet. Kept as small JSON files in {@code
 * <workDir>/outbox}, written to the jobs table as soon as the database answers again, even after an
 * agent restart.
 */
class Outbox {
  private static final Logger LOG = LoggerFactory.getLogger(Outbox.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * One pending outcome, as stored. {@code jobId} 0 means the job has no row yet: it is inserted
   * from {@code task}, {@code paramsJson}, {@code idempotencyKey} and the times.
   */
  record Entry(
      long jobId,
      String owner,
      int state,
      String result,
      String errorCode,
      String digest,
      long bytes,
      Long bytesTotal,
      String task,
      String paramsJson,
      String idempotencyKey,
      String submittedBy,
      Long startedMillis,
      Long endedMillis,
      String seal) {
    JobOutcome outcome() {
      return new JobOutcome(
          JobState.fromCode(state),
          result,
          ErrorCode.fromRow(errorCode),
          digest,
          bytes,
          bytesTotal);
    }

    static Entry of(long jobId, String owner, JobOutcome o) {
      return new Entry(
          jobId,
          owner,
          o.state().code(),
          o.result(),
          o.errorCode() == null ? null : o.errorCode().name(),
          o.digest(),
          o.bytes(),
          o.bytesTotal(),
          null,
          null,
          null,
          null,
          null,
          null,
          null);
    }
  }

  private final Path dir;

  /**
   * Set after every keep, cleared by a flush before it scans: a keep that lands while a flush scans
   * sets it again, so its entry is flushed next time (a flush never clears a keep it did not see).
   */
  private final AtomicBoolean pending = new AtomicBoolean();

  Outbox(Path dir) {
    this.dir = dir;
    try {
      Files.createDirectories(dir);
      pending.set(count() > 0);
    } catch (IOException e) {
      throw new DbJobsException(
          ErrorCode.CONFIG_INVALID,
          "cannot use the agent's outbox folder " + dir + " (check workDir and its owner): " + e,
          e);
    }
  }

  /** Whether a flush has something to do. */
  boolean hasPending() {
    return pending.get();
  }

  int count() {
    try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, "*.json")) {
      int n = 0;
      for (Path ignored : s) {
        n++;
      }
      return n;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the agent's outbox " + dir, e);
    }
  }

  /** Keeps the outcome of a job that has a row. */
  void keep(long jobId, String owner, JobOutcome o) {
    save(jobId + ".json", Entry.of(jobId, owner, o));
  }

  /**
   * Keeps a job that ran without a row (the database was down), to be inserted with its outcome.
   */
  void keepNew(
      NewJob job, String seal, String owner, Instant started, Instant ended, JobOutcome o) {
    Entry base = Entry.of(0, owner, o);
    Entry e =
        new Entry(
            0,
            owner,
            base.state(),
            base.result(),
            base.errorCode(),
            base.digest(),
            base.bytes(),
            base.bytesTotal(),
            job.task().wireName(),
            JobParams.toJson(job.params()),
            job.idempotencyKey(),
            job.submittedBy(),
            started.toEpochMilli(),
            ended.toEpochMilli(),
            seal);
    save("new-" + fileSafe(job.idempotencyKey()) + ".json", e);
  }

  private void save(String name, Entry e) {
    Path target = dir.resolve(name);
    Path tmp = dir.resolve(name + ".tmp");
    try {
      JSON.writeValue(tmp.toFile(), e);
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      pending.set(true);
    } catch (IOException x) {
      throw new UncheckedIOException("cannot keep a job outcome in " + target, x);
    }
  }

  /**
   * Writes every kept outcome to the jobs table and deletes it once written.
   *
   * @throws DbJobsException when the database is still unreachable (the rest stay kept)
   */
  void flush(AgentJobs store) {
    if (!pending.getAndSet(false)) {
      return;
    }
    try {
      for (Path f : entries()) {
        write(store, JSON.readValue(f.toFile(), Entry.class));
        Files.delete(f);
      }
    } catch (DbJobsException e) {
      pending.set(true);
      if (!SqlErrors.isConnectionLoss(e)) {
        LOG.warn("writing kept outcomes failed: {}", e.getMessage());
      }
      throw e;
    } catch (IOException | RuntimeException e) {
      pending.set(true);
      throw new DbJobsException(
          ErrorCode.INTERNAL, "cannot flush the agent's outbox " + dir + ": " + e, e);
    }
  }

  /** The kept entries now on disk; a seam for the test of a keep racing a flush. */
  List<Path> entries() throws IOException {
    List<Path> out = new ArrayList<>();
    try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, "*.json")) {
      s.forEach(out::add);
    }
    return out;
  }

  private static void write(AgentJobs store, Entry e) {
    if (e.jobId() == 0) {
      NewJob job =
          NewJob.of(
              Task.require(e.task()),
              JobParams.parse(e.paramsJson()),
              e.idempotencyKey(),
              e.submittedBy());
      long id =
          store.insertFinished(
              job,
              e.seal(),
              e.owner(),
              Instant.ofEpochMilli(e.startedMillis()),
              Instant.ofEpochMilli(e.endedMillis()),
              e.outcome());
      LOG.info(
          "{} job run while the database was down recorded as job {}: {}",
          e.task(),
          id,
          e.outcome().state());
      return;
    }
    if (store.finish(e.jobId(), e.owner(), e.outcome(), true)) {
      LOG.info(
          "job {}: outcome written after the database came back: {}",
          e.jobId(),
          e.outcome().state());
    } else {
      LOG.warn(
          "job {}: kept outcome ({}) not written: the job is no longer {}'s (cancelled or taken over"
              + " meanwhile)",
          e.jobId(),
          e.outcome().state(),
          e.owner());
    }
  }

  private static String fileSafe(String key) {
    try {
      byte[] h = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(h, 0, 12);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }
}
