package io.dbjobs.agent.loop;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.job.Job;
import io.dbjobs.common.job.JobOutcome;
import io.dbjobs.common.job.JobParams;
import io.dbjobs.common.job.JobState;
import io.dbjobs.common.job.NewJob;
import io.dbjobs.common.job.Progress;
import io.dbjobs.common.jobs.JobStore;
import io.dbjobs.common.jobs.JobsDao;
import java.sql.SQLNonTransientConnectionException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;

/** An in-memory jobs table for unit tests of the loop; can pretend the database is down. */
final class FakeJobStore implements JobStore {
  final Map<Long, Job> rows = new TreeMap<>();
  final Map<Long, JobOutcome> outcomes = new TreeMap<>();
  final AtomicInteger outagesLeft = new AtomicInteger();
  private long nextId = 1;

  synchronized long add(String task, Map<String, String> params) {
    long id = nextId++;
    rows.put(id, row(id, task, JobState.QUEUED, JobParams.toJson(params), null));
    return id;
  }

  private static Job row(long id, String task, JobState state, String params, String owner) {
    return new Job(
        id,
        task,
        state,
        "k" + id,
        params,
        "",
        0,
        0,
        owner,
        null,
        false,
        null,
        0,
        null,
        null,
        null,
        null,
        "test",
        Instant.EPOCH,
        null,
        null,
        null);
  }

  private void maybeDown() {
    if (outagesLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      throw new DbJobsException(
          ErrorCode.NODE_UNREACHABLE,
          "fake outage",
          new SQLNonTransientConnectionException("Connection refused", "08S01"));
    }
  }

  @Override
  public synchronized List<JobsDao.Queued> queued(int limit) {
    maybeDown();
    List<JobsDao.Queued> out = new ArrayList<>();
    rows.values().stream()
        .filter(j -> j.state() == JobState.QUEUED)
        .limit(limit)
        .forEach(j -> out.add(new JobsDao.Queued(j.id(), j.task())));
    return out;
  }

  @Override
  public synchronized boolean claim(long id, String owner, Duration lease) {
    Job j = rows.get(id);
    if (j == null || j.state() != JobState.QUEUED) {
      return false;
    }
    rows.put(id, row(id, j.task(), JobState.RUNNING, j.paramsJson(), owner));
    return true;
  }

  @Override
  public synchronized Optional<Job> find(long id) {
    return Optional.ofNullable(rows.get(id));
  }

  synchronized JobState state(long id) {
    return rows.get(id).state();
  }

  @Override
  public synchronized JobsDao.LeaseStatus renew(long id, String owner, Duration lease, Progress p) {
    Job j = rows.get(id);
    return new JobsDao.LeaseStatus(j != null && j.state().isActive(), false);
  }

  @Override
  public boolean markWaitingForStream(long id, String owner) {
    return true;
  }

  @Override
  public boolean markRunning(long id, String owner, String phase) {
    return true;
  }

  @Override
  public synchronized boolean finish(long id, String owner, JobOutcome o, boolean overrideLost) {
    Job j = rows.get(id);
    if (j == null || !j.state().isActive()) {
      return false;
    }
    rows.put(id, row(id, j.task(), o.state(), j.paramsJson(), owner));
    outcomes.put(id, o);
    return true;
  }

  @Override
  public int failExpiredLeases(String observer, String exceptOwner) {
    maybeDown();
    return 0;
  }

  @Override
  public long insertFinished(
      NewJob job, String owner, Instant started, Instant ended, JobOutcome outcome) {
    throw new UnsupportedOperationException();
  }

  @Override
  public JobsDao.Inserted insert(NewJob job) {
    throw new UnsupportedOperationException();
  }

  @Override
  public Optional<Job> findByKey(String key) {
    throw new UnsupportedOperationException();
  }

  @Override
  public String where() {
    return "fake";
  }
}
