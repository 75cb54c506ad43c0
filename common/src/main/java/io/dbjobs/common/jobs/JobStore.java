package io.dbjobs.common.jobs;

import io.dbjobs.common.job.Job;
import io.dbjobs.common.job.JobOutcome;
import io.dbjobs.common.job.NewJob;
import io.dbjobs.common.job.Progress;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * What an agent does with its node's jobs table. {@link JobsDao} is the real one; tests of the
 * agent's loop use an in-memory one.
 */
public interface JobStore {
  java.util.List<JobsDao.Queued> queued(int limit);

  boolean claim(long id, String owner, Duration lease);

  Optional<Job> find(long id);

  JobsDao.LeaseStatus renew(long id, String owner, Duration lease, Progress progress);

  boolean markWaitingForStream(long id, String owner);

  boolean markRunning(long id, String owner, String phase);

  /**
   * Records an outcome if {@code owner} holds the job. With {@code overrideLost}, an "agent lost"
   * mark set while the owner could not reach the database is replaced by the real outcome.
   */
  boolean finish(long id, String owner, JobOutcome outcome, boolean overrideLost);

  int failExpiredLeases(String observer, String exceptOwner);

  long insertFinished(NewJob job, String owner, Instant started, Instant ended, JobOutcome outcome);

  JobsDao.Inserted insert(NewJob job);

  Optional<Job> findByKey(String key);

  String where();
}
