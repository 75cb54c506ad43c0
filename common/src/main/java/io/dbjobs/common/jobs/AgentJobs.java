package io.dbjobs.common.jobs;

import io.dbjobs.common.job.Job;
import io.dbjobs.common.job.JobOutcome;
import io.dbjobs.common.job.NewJob;
import io.dbjobs.common.job.Progress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The agent's side of its node's jobs table: poll, refuse what is not authentic, claim, renew the
 * lease with progress, mark waiting-for-stream and running, finish, and sweep expired leases. The
 * states it writes are running, waiting for stream, and every final one.
 */
public interface AgentJobs {
  /** The node, for messages. */
  String where();

  /** Queued jobs, oldest first, whole (seal included): the agent's poll. */
  List<Job> queued(int limit);

  /**
   * Fails a queued job without running it because its seal did not verify.
   *
   * @return false when it was no longer queued
   */
  boolean refuse(long id, String owner, String reason);

  /**
   * Claims a queued job for {@code owner}: atomic, so of several claimers exactly one wins.
   *
   * @return true when this call claimed it
   */
  boolean claim(long id, String owner, Duration lease);

  Optional<Job> find(long id);

  Optional<Job> findByKey(String key);

  /**
   * What a lease renewal found: whether the caller still holds the job, and if cancel was asked.
   */
  /**
   * @param cancelNote who asked for the cancel and why, as the manager wrote it; null when unsaid
   */
  record LeaseStatus(boolean held, boolean cancelRequested, String cancelNote) {
    public LeaseStatus(boolean held, boolean cancelRequested) {
      this(held, cancelRequested, null);
    }
  }

  /** Extends the lease of a running job and records its progress; one call per heartbeat. */
  LeaseStatus renew(long id, String owner, Duration lease, Progress progress);

  /** Moves a running job to waiting for stream: its listener is open. */
  boolean markWaitingForStream(long id, String owner);

  /** Moves a job back from waiting for stream to running (the stream connected). */
  boolean markRunning(long id, String owner, String phase);

  /**
   * Records an outcome if {@code owner} holds the job, and forgets its wrapped secret. With {@code
   * overrideLost}, an "agent lost" mark set while the owner could not reach the database is
   * replaced by the real outcome.
   *
   * @return false when the job was no longer this owner's
   */
  boolean finish(long id, String owner, JobOutcome outcome, boolean overrideLost);

  /**
   * Fails every active job whose lease expired, except those of {@code exceptOwner} (an agent's
   * own, which it renews).
   */
  int failExpiredLeases(String observer, String exceptOwner);

  /**
   * Records a job that ran while the database was unreachable (e.g. {@code start}) with its seal
   * and outcome, so the history holds it. A replay of the same key is a no-op.
   */
  long insertFinished(
      NewJob job, String seal, String owner, Instant started, Instant ended, JobOutcome outcome);
}
