package io.dbjobs.common.jobs;

import io.dbjobs.common.job.Job;
import io.dbjobs.common.job.JobOutcome;
import io.dbjobs.common.job.JobParams;
import io.dbjobs.common.job.JobState;
import io.dbjobs.common.job.NewJob;
import io.dbjobs.common.job.Progress;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * {@link AgentJobs} over JDBC. Times are the server's clock (UTC): lease expiry is decided by the
 * database, not by the clocks of the hosts around it.
 */
public final class AgentJobsTable implements AgentJobs {
  private static final String ACTIVE = JobsTable.ACTIVE;

  private final TableAccess db;

  /**
   * @param where the node, for messages, e.g. {@code db2 (10.0.0.2:3306)}
   */
  public AgentJobsTable(DataSource ds, String where) {
    this.db = new TableAccess(ds, where);
  }

  @Override
  public String where() {
    return db.where();
  }

  @Override
  public List<Job> queued(int limit) {
    return db.many(
        "WHERE state=" + JobState.QUEUED.code() + " ORDER BY id LIMIT ?",
        "poll for queued jobs",
        limit);
  }

  @Override
  public boolean refuse(long id, String owner, String reason) {
    return db.write(
        "refuse job " + id,
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "UPDATE "
                      + JobsTable.NAME
                      + " SET state="
                      + JobState.FAILED.code()
                      + ", done=1, start=NOW(3), end=NOW(3), lease_owner=?,"
                      + " error_code='UNAUTHENTICATED_JOB', phase='refused', secret_box=NULL,"
                      + " result=? WHERE id=? AND state="
                      + JobState.QUEUED.code())) {
            ps.setString(1, owner);
            ps.setString(2, JobsTable.clip(reason));
            ps.setLong(3, id);
            return ps.executeUpdate() == 1;
          }
        });
  }

  @Override
  public boolean claim(long id, String owner, Duration lease) {
    return db.write(
        "claim job " + id,
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "UPDATE "
                      + JobsTable.NAME
                      + " SET state="
                      + JobState.RUNNING.code()
                      + ", lease_owner=?, lease_expires=NOW(3) + INTERVAL ? MICROSECOND,"
                      + " attempts=attempts+1, start=NOW(3), phase='starting'"
                      + " WHERE id=? AND state="
                      + JobState.QUEUED.code()
                      + " AND cancel_requested=0")) {
            ps.setString(1, owner);
            ps.setLong(2, lease.toNanos() / 1000);
            ps.setLong(3, id);
            return ps.executeUpdate() == 1;
          }
        });
  }

  @Override
  public Optional<Job> find(long id) {
    return db.one("WHERE id=?", "read job " + id, id);
  }

  @Override
  public Optional<Job> findByKey(String key) {
    return db.one("WHERE idempotency_key=?", "read the job with key " + key, key);
  }

  @Override
  public LeaseStatus renew(long id, String owner, Duration lease, Progress p) {
    return db.write(
        "renew the lease of job " + id,
        c -> {
          int updated;
          try (PreparedStatement ps =
              c.prepareStatement(
                  "UPDATE "
                      + JobsTable.NAME
                      + " SET lease_expires=NOW(3) + INTERVAL ? MICROSECOND, phase=?,"
                      + " bytes_done=?, bytes_total=? WHERE id=? AND lease_owner=? AND "
                      + ACTIVE)) {
            ps.setLong(1, lease.toNanos() / 1000);
            ps.setString(2, JobsTable.phase(p.phase()));
            ps.setLong(3, p.bytesDone());
            if (p.bytesTotal() == null) {
              ps.setNull(4, Types.BIGINT);
            } else {
              ps.setLong(4, p.bytesTotal());
            }
            ps.setLong(5, id);
            ps.setString(6, owner);
            updated = ps.executeUpdate();
          }
          if (updated == 0) {
            return new LeaseStatus(false, false);
          }
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT cancel_requested, result FROM " + JobsTable.NAME + " WHERE id=?")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
              if (!rs.next() || rs.getInt(1) == 0) {
                return new LeaseStatus(true, false);
              }
              // an active job's result is the manager's note on the cancel, if any
              return new LeaseStatus(true, true, rs.getString(2));
            }
          }
        });
  }

  @Override
  public boolean markWaitingForStream(long id, String owner) {
    return updateActive(
        id,
        owner,
        "state=" + JobState.WAITING_FOR_STREAM.code() + ", phase=?",
        "waiting-for-stream",
        "mark job " + id + " waiting for its stream");
  }

  @Override
  public boolean markRunning(long id, String owner, String phase) {
    return updateActive(
        id,
        owner,
        "state=" + JobState.RUNNING.code() + ", phase=?",
        JobsTable.phase(phase),
        "mark job " + id + " running");
  }

  private boolean updateActive(long id, String owner, String set, String phase, String what) {
    return db.write(
        what,
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "UPDATE "
                      + JobsTable.NAME
                      + " SET "
                      + set
                      + " WHERE id=? AND lease_owner=? AND "
                      + ACTIVE)) {
            ps.setString(1, phase);
            ps.setLong(2, id);
            ps.setString(3, owner);
            return ps.executeUpdate() == 1;
          }
        });
  }

  @Override
  public boolean finish(long id, String owner, JobOutcome o, boolean overrideLost) {
    String sql =
        "UPDATE "
            + JobsTable.NAME
            + " SET state=?, done=?, end=NOW(3), result=?, error_code=?, phase=?,"
            + " digest=COALESCE(?, digest), bytes_done=IF(? < 0, bytes_done, ?),"
            + " bytes_total=COALESCE(?, bytes_total), lease_expires=NULL, secret_box=NULL"
            + " WHERE id=? AND lease_owner=? AND ("
            + ACTIVE
            + (overrideLost
                ? " OR (state=" + JobState.FAILED.code() + " AND error_code='AGENT_LOST'))"
                : ")");
    return db.write(
        "record the outcome of job " + id,
        c -> {
          try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setInt(1, o.state().code());
            ps.setInt(2, o.state().isFinal() ? 1 : 0);
            ps.setString(3, JobsTable.clip(o.result()));
            ps.setString(4, o.errorCode() == null ? null : o.errorCode().name());
            ps.setString(5, o.state() == JobState.SUCCEEDED ? "done" : o.state().label());
            ps.setString(6, o.digest());
            ps.setLong(7, o.bytes());
            ps.setLong(8, o.bytes());
            if (o.bytesTotal() == null) {
              ps.setNull(9, Types.BIGINT);
            } else {
              ps.setLong(9, o.bytesTotal());
            }
            ps.setLong(10, id);
            ps.setString(11, owner);
            return ps.executeUpdate() == 1;
          }
        });
  }

  @Override
  public int failExpiredLeases(String observer, String exceptOwner) {
    return LeaseSweep.failExpired(db, observer, exceptOwner);
  }

  @Override
  public long insertFinished(
      NewJob job, String seal, String owner, Instant started, Instant ended, JobOutcome outcome) {
    String sql =
        "INSERT IGNORE INTO "
            + JobsTable.NAME
            + " (task, state, done, idempotency_key, params, submitted_by, attempts, lease_owner,"
            + " start, end, result, error_code, phase, seal) VALUES (?, ?, 1, ?, ?, ?, 1, ?, ?,"
            + " ?, ?, ?, 'done', ?)";
    db.write(
        "record the finished " + job.task() + " job",
        c -> {
          try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, job.task().wireName());
            ps.setInt(2, outcome.state().code());
            ps.setString(3, job.idempotencyKey());
            ps.setString(4, JobParams.toJson(job.params()));
            ps.setString(5, job.submittedBy());
            ps.setString(6, owner);
            ps.setTimestamp(7, JobsTable.utc(started));
            ps.setTimestamp(8, JobsTable.utc(ended));
            ps.setString(9, JobsTable.clip(outcome.result()));
            ps.setString(10, outcome.errorCode() == null ? null : outcome.errorCode().name());
            ps.setString(11, seal);
            return ps.executeUpdate();
          }
        });
    return findByKey(job.idempotencyKey())
        .map(Job::id)
        .orElseThrow(
            () ->
                new io.dbjobs.common.DbJobsException(
                    io.dbjobs.common.ErrorCode.INTERNAL,
                    "the finished "
                        + job.task()
                        + " job '"
                        + job.idempotencyKey()
                        + "' is not in the jobs table of "
                        + where()
                        + " right after its insert"));
  }
}
