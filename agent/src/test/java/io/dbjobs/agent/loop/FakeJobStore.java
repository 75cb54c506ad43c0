package io.dbjobs.agent.loop;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.auth.JobSealer;
import io.dbjobs.common.auth.SealedFields;
import io.dbjobs.common.job.Job;
import io.dbjobs.common.job.JobOutcome;
import io.dbjobs.common.job.JobParams;
import io.dbjobs.common.job.JobState;
import io.dbjobs.common.job.NewJob;
import io.dbjobs.common.job.Progress;
import io.dbjobs.common.job.RowSeal;
import io.dbjobs.common.jobs.AgentJobs;
import java.sql.SQLNonTransientConnectionException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An in-memory jobs table for unit tests of the loop, whose rows are sealed as the manager seals
 * them; can pretend the database is down, and lets a test run code at the moment an outcome is
 * recorded.
 */
final class FakeJobStore implements AgentJobs {
  final Map<Long, Job> rows = new TreeMap<>();
  final Map<Long, JobOutcome> outcomes = new TreeMap<>();
  final Map<Long, String> refused = new TreeMap<>();
  final AtomicInteger outagesLeft = new AtomicInteger();
  private final JobSealer sealer;
  private long nextId = 1;
  volatile Runnable duringFinish = () -> {};
  volatile Runnable duringRenew = () -> {};

  FakeJobStore(JobSealer sealer) {
    this.sealer = sealer;
  }

  /** A queued row sealed for the sealer's node. */
  synchronized long add(String task, Map<String, String> params) {
    long id = nextId++;
    String json = JobParams.toJson(params);
    String key = "k" + id;
    String seal =
        sealer
            .seal(
                new SealedFields(
                    sealer.node(), id, key, task, json, "", 0, "", "", sealer.expiry()))
            .format();
    rows.put(id, row(id, task, JobState.QUEUED, json, null, key, seal));
    return id;
  }

  /** A queued row with whatever seal the test gives (a forgery). */
  synchronized long addRaw(String task, Map<String, String> params, String seal) {
    long id = nextId++;
    rows.put(id, row(id, task, JobState.QUEUED, JobParams.toJson(params), null, "k" + id, seal));
    return id;
  }

  /** Puts a row back to queued, as someone with UPDATE on the table could. */
  synchronized void requeue(long id) {
    Job j = rows.get(id);
    rows.put(
        id,
        row(
            id,
            j.task(),
            JobState.QUEUED,
            j.paramsJson(),
            null,
            j.idempotencyKey(),
            j.seal().seal()));
  }

  private static Job row(
      long id, String task, JobState state, String params, String owner, String key, String seal) {
    return new Job(
        id,
        task,
        state,
        key,
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
        null,
        false,
        new RowSeal("n1", seal, null, ""));
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
  public synchronized List<Job> queued(int limit) {
    maybeDown();
    List<Job> out = new ArrayList<>();
    rows.values().stream().filter(j -> j.state() == JobState.QUEUED).limit(limit).forEach(out::add);
    return out;
  }

  @Override
  public synchronized boolean refuse(long id, String owner, String reason) {
    Job j = rows.get(id);
    if (j == null || j.state() != JobState.QUEUED) {
      return false;
    }
    rows.put(
        id,
        row(
            id,
            j.task(),
            JobState.FAILED,
            j.paramsJson(),
            owner,
            j.idempotencyKey(),
            j.seal().seal()));
    refused.put(id, reason);
    return true;
  }

  @Override
  public synchronized boolean claim(long id, String owner, Duration lease) {
    Job j = rows.get(id);
    if (j == null || j.state() != JobState.QUEUED) {
      return false;
    }
    rows.put(
        id,
        row(
            id,
            j.task(),
            JobState.RUNNING,
            j.paramsJson(),
            owner,
            j.idempotencyKey(),
            j.seal().seal()));
    return true;
  }

  @Override
  public synchronized Optional<Job> find(long id) {
    return Optional.ofNullable(rows.get(id));
  }

  @Override
  public Optional<Job> findByKey(String key) {
    throw new UnsupportedOperationException();
  }

  synchronized JobState state(long id) {
    return rows.get(id).state();
  }

  @Override
  public LeaseStatus renew(long id, String owner, Duration lease, Progress p) {
    duringRenew.run(); // a slow database: the answer reflects the row when the call returns
    synchronized (this) {
      Job j = rows.get(id);
      return new LeaseStatus(j != null && j.state().isActive(), false);
    }
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
  public boolean finish(long id, String owner, JobOutcome o, boolean overrideLost) {
    boolean done;
    synchronized (this) {
      Job j = rows.get(id);
      if (j == null || !j.state().isActive()) {
        return false;
      }
      rows.put(
          id,
          row(id, j.task(), o.state(), j.paramsJson(), owner, j.idempotencyKey(), j.seal().seal()));
      outcomes.put(id, o);
      done = true;
    }
    duringFinish.run();
    return done;
  }

  @Override
  public int failExpiredLeases(String observer, String exceptOwner) {
    maybeDown();
    return 0;
  }

  @Override
  public long insertFinished(
      NewJob job, String seal, String owner, Instant started, Instant ended, JobOutcome outcome) {
    throw new UnsupportedOperationException();
  }

  @Override
  public String where() {
    return "fake";
  }
}
