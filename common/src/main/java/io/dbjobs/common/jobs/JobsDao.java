package io.dbjobs.common.jobs;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.db.SqlErrors;
import io.dbjobs.common.job.Job;
import io.dbjobs.common.job.JobOutcome;
import io.dbjobs.common.job.JobParams;
import io.dbjobs.common.job.JobState;
import io.dbjobs.common.job.NewJob;
import io.dbjobs.common.job.Progress;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Reads and writes {@code replication_manager_schema.jobs} on one node, for the manager and the
 * agent alike. Every write runs with {@code SET SESSION sql_log_bin=0} on the same connection, so a
 * node's jobs never reach the binary log or a replica. Times are the server's clock (UTC): lease
 * expiry is decided by the database, not by the clocks of the hosts around it.
 */
public final class JobsDao implements JobStore {
  public static final String TABLE = "replication_manager_schema.jobs";

  private static final int RESULT_MAX_CHARS = 60_000;

  private static final String COLUMNS =
      "id, task, state, idempotency_key, params, server, port, attempts, lease_owner,"
          + " lease_expires, cancel_requested, phase, bytes_done, bytes_total, digest, error_code,"
          + " result, submitted_by, created, start, end, updated";

  private final DataSource ds;
  private final String where;

  /**
   * @param where the node, for messages, e.g. {@code db2 (10.0.0.2:3306)}
   */
  public JobsDao(DataSource ds, String where) {
    this.ds = ds;
    this.where = where;
  }

  @Override
  public String where() {
    return where;
  }

  /** The id of an enqueued job and whether this call created it (false: the key existed). */
  public record Inserted(long id, boolean created) {}

  /**
   * Enqueues a job. A second call with the same idempotency key returns the first job's id; with
   * the same key but another task or other parameters it fails with IDEMPOTENCY_CONFLICT.
   */
  @Override
  public Inserted insert(NewJob job) {
    String sql =
        "INSERT INTO "
            + TABLE
            + " (task, state, idempotency_key, params, server, port, stream_secret, submitted_by)"
            + " VALUES (?, 0, ?, ?, ?, ?, ?, ?)";
    try (Connection c = writer()) {
      try (PreparedStatement ps = c.prepareStatement(sql, Statement.RETURN_GENERATED_KEYS)) {
        ps.setString(1, job.task().wireName());
        ps.setString(2, job.idempotencyKey());
        ps.setString(3, JobParams.toJson(job.params()));
        ps.setString(4, job.server());
        ps.setInt(5, job.port());
        ps.setString(6, job.streamSecret());
        ps.setString(7, job.submittedBy());
        ps.executeUpdate();
        try (ResultSet keys = ps.getGeneratedKeys()) {
          keys.next();
          return new Inserted(keys.getLong(1), true);
        }
      } catch (SQLException e) {
        if (!SqlErrors.isDuplicateKey(e)) {
          throw e;
        }
      }
      Job existing =
          findByKey(job.idempotencyKey())
              .orElseThrow(
                  () ->
                      new DbJobsException(
                          ErrorCode.INTERNAL,
                          "idempotency key "
                              + job.idempotencyKey()
                              + " is taken but not readable"));
      if (!existing.task().equals(job.task().wireName())
          || !existing.paramsJson().equals(JobParams.toJson(job.params()))) {
        throw new DbJobsException(
            ErrorCode.IDEMPOTENCY_CONFLICT,
            "idempotency key '"
                + job.idempotencyKey()
                + "' was already used on "
                + where
                + " for job "
                + existing.id()
                + " ("
                + existing.task()
                + " "
                + existing.paramsJson()
                + "); use another key for a different job");
      }
      return new Inserted(existing.id(), false);
    } catch (SQLException e) {
      throw failure("enqueue a " + job.task() + " job", e);
    }
  }

  /**
   * Records a job that ran while the database was unreachable (e.g. {@code start}), with its
   * outcome, so the history holds it. Returns the row's id; a replay of the same key is a no-op.
   */
  @Override
  public long insertFinished(
      NewJob job, String owner, Instant started, Instant ended, JobOutcome outcome) {
    String sql =
        "INSERT IGNORE INTO "
            + TABLE
            + " (task, state, done, idempotency_key, params, submitted_by, attempts, lease_owner,"
            + " start, end, result, error_code, phase) VALUES (?, ?, 1, ?, ?, ?, 1, ?, ?, ?, ?, ?,"
            + " 'done')";
    try (Connection c = writer();
        PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, job.task().wireName());
      ps.setInt(2, outcome.state().code());
      ps.setString(3, job.idempotencyKey());
      ps.setString(4, JobParams.toJson(job.params()));
      ps.setString(5, job.submittedBy());
      ps.setString(6, owner);
      ps.setTimestamp(7, utc(started));
      ps.setTimestamp(8, utc(ended));
      ps.setString(9, clip(outcome.result()));
      ps.setString(10, outcome.errorCode() == null ? null : outcome.errorCode().name());
      ps.executeUpdate();
      return findByKey(job.idempotencyKey()).map(Job::id).orElse(-1L);
    } catch (SQLException e) {
      throw failure("record the finished " + job.task() + " job", e);
    }
  }

  @Override
  public Optional<Job> find(long id) {
    return queryOne("SELECT " + COLUMNS + " FROM " + TABLE + " WHERE id=?", id, "read job " + id);
  }

  @Override
  public Optional<Job> findByKey(String key) {
    return queryOne(
        "SELECT " + COLUMNS + " FROM " + TABLE + " WHERE idempotency_key=?",
        key,
        "read the job with key " + key);
  }

  /** Filters for {@link #list}; null fields match everything. */
  public record Query(JobState state, String task, Long afterId, int limit) {
    public static Query latest(int limit) {
      return new Query(null, null, null, limit);
    }
  }

  /** Jobs matching the query, newest first (or oldest first after {@code afterId}). */
  public List<Job> list(Query q) {
    StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM " + TABLE + " WHERE 1=1");
    List<Object> args = new ArrayList<>();
    if (q.state() != null) {
      sql.append(" AND state=?");
      args.add(q.state().code());
    }
    if (q.task() != null) {
      sql.append(" AND task=?");
      args.add(q.task());
    }
    if (q.afterId() != null) {
      sql.append(" AND id>? ORDER BY id ASC");
      args.add(q.afterId());
    } else {
      sql.append(" ORDER BY id DESC");
    }
    sql.append(" LIMIT ?");
    args.add(q.limit());
    return read(
        "list jobs",
        c -> {
          try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
            for (int i = 0; i < args.size(); i++) {
              ps.setObject(i + 1, args.get(i));
            }
            List<Job> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                out.add(map(rs));
              }
            }
            return out;
          }
        });
  }

  /** How many jobs are queued and how many active (running or waiting for a stream). */
  public record Counts(int queued, int active) {}

  public Counts counts() {
    return read(
        "count jobs",
        c -> {
          try (Statement s = c.createStatement();
              ResultSet rs =
                  s.executeQuery(
                      "SELECT COALESCE(SUM(state=0),0), COALESCE(SUM(state IN (1,2)),0) FROM "
                          + TABLE
                          + " WHERE state IN (0,1,2)")) {
            rs.next();
            return new Counts(rs.getInt(1), rs.getInt(2));
          }
        });
  }

  /** A queued job's id and raw task name, as seen by a poll. */
  public record Queued(long id, String task) {}

  /** Queued jobs, oldest first. One indexed query: the agent's poll. */
  @Override
  public List<Queued> queued(int limit) {
    return read(
        "poll for queued jobs",
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT id, task FROM " + TABLE + " WHERE state=0 ORDER BY id LIMIT ?")) {
            ps.setInt(1, limit);
            List<Queued> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                out.add(new Queued(rs.getLong(1), rs.getString(2)));
              }
            }
            return out;
          }
        });
  }

  /**
   * Claims a queued job for {@code owner}: atomic, so of several claimers exactly one wins.
   *
   * @return true when this call claimed it
   */
  @Override
  public boolean claim(long id, String owner, Duration lease) {
    String sql =
        "UPDATE "
            + TABLE
            + " SET state=1, lease_owner=?, lease_expires=NOW(3) + INTERVAL ? MICROSECOND,"
            + " attempts=attempts+1, start=NOW(3), phase='starting'"
            + " WHERE id=? AND state=0 AND cancel_requested=0";
    try (Connection c = writer();
        PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, owner);
      ps.setLong(2, lease.toNanos() / 1000);
      ps.setLong(3, id);
      return ps.executeUpdate() == 1;
    } catch (SQLException e) {
      throw failure("claim job " + id, e);
    }
  }

  /**
   * What a lease renewal found: whether the caller still holds the job, and if cancel was asked.
   */
  public record LeaseStatus(boolean held, boolean cancelRequested) {}

  /** Extends the lease of a running job and records its progress; one call per heartbeat. */
  @Override
  public LeaseStatus renew(long id, String owner, Duration lease, Progress p) {
    String update =
        "UPDATE "
            + TABLE
            + " SET lease_expires=NOW(3) + INTERVAL ? MICROSECOND, phase=?, bytes_done=?,"
            + " bytes_total=? WHERE id=? AND lease_owner=? AND state IN (1,2)";
    try (Connection c = writer()) {
      int updated;
      try (PreparedStatement ps = c.prepareStatement(update)) {
        ps.setLong(1, lease.toNanos() / 1000);
        ps.setString(2, phase(p.phase()));
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
          c.prepareStatement("SELECT cancel_requested FROM " + TABLE + " WHERE id=?")) {
        ps.setLong(1, id);
        try (ResultSet rs = ps.executeQuery()) {
          return new LeaseStatus(true, rs.next() && rs.getInt(1) != 0);
        }
      }
    } catch (SQLException e) {
      throw failure("renew the lease of job " + id, e);
    }
  }

  /** Moves a running job to state 2: its stream listener is open. */
  @Override
  public boolean markWaitingForStream(long id, String owner) {
    return updateActive(
        id,
        owner,
        "state=2, phase='waiting-for-stream'",
        "mark job " + id + " waiting for its stream");
  }

  /** Moves a job back from waiting-for-stream to running (the stream connected). */
  @Override
  public boolean markRunning(long id, String owner, String phaseName) {
    String phase = phase(phaseName);
    try (Connection c = writer();
        PreparedStatement ps =
            c.prepareStatement(
                "UPDATE "
                    + TABLE
                    + " SET state=1, phase=? WHERE id=? AND lease_owner=? AND state IN (1,2)")) {
      ps.setString(1, phase);
      ps.setLong(2, id);
      ps.setString(3, owner);
      return ps.executeUpdate() == 1;
    } catch (SQLException e) {
      throw failure("mark job " + id + " running", e);
    }
  }

  private boolean updateActive(long id, String owner, String set, String what) {
    try (Connection c = writer();
        PreparedStatement ps =
            c.prepareStatement(
                "UPDATE "
                    + TABLE
                    + " SET "
                    + set
                    + " WHERE id=? AND lease_owner=? AND state IN (1,2)")) {
      ps.setLong(1, id);
      ps.setString(2, owner);
      return ps.executeUpdate() == 1;
    } catch (SQLException e) {
      throw failure(what, e);
    }
  }

  /**
   * Writes a running job's outcome, if {@code owner} still holds it.
   *
   * @return false when the job was no longer this owner's (lease lost)
   */
  @Override
  public boolean finish(long id, String owner, JobOutcome o, boolean overrideLost) {
    String sql =
        "UPDATE "
            + TABLE
            + " SET state=?, done=?, end=NOW(3), result=?, error_code=?, phase=?,"
            + " digest=COALESCE(?, digest), bytes_done=IF(? < 0, bytes_done, ?),"
            + " bytes_total=COALESCE(?, bytes_total), lease_expires=NULL"
            + " WHERE id=? AND lease_owner=? AND (state IN (1,2)"
            + (overrideLost ? " OR (state=5 AND error_code='AGENT_LOST'))" : ")");
    try (Connection c = writer();
        PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setInt(1, o.state().code());
      ps.setInt(2, o.state().isFinal() ? 1 : 0);
      ps.setString(3, clip(o.result()));
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
    } catch (SQLException e) {
      throw failure("record the outcome of job " + id, e);
    }
  }

  /** What {@link #cancel} did. */
  public enum CancelResult {
    /** The job was queued and is now cancelled; it will never start. */
    CANCELLED,
    /** The job is running; its agent was asked to stop it and will mark it cancelled. */
    REQUESTED,
    /** The job had already ended. */
    ALREADY_FINAL,
    NOT_FOUND
  }

  /** Cancels a queued job at once, or asks the agent of a running job to stop it. */
  public CancelResult cancel(long id, String by) {
    try (Connection c = writer()) {
      try (PreparedStatement ps =
          c.prepareStatement(
              "UPDATE "
                  + TABLE
                  + " SET state=7, done=1, end=NOW(3), cancel_requested=1, error_code='CANCELLED',"
                  + " phase='cancelled', result=? WHERE id=? AND state=0")) {
        ps.setString(1, "cancelled by " + by + " before it started");
        ps.setLong(2, id);
        if (ps.executeUpdate() == 1) {
          return CancelResult.CANCELLED;
        }
      }
      try (PreparedStatement ps =
          c.prepareStatement(
              "UPDATE " + TABLE + " SET cancel_requested=1 WHERE id=? AND state IN (1,2,3)")) {
        ps.setLong(1, id);
        if (ps.executeUpdate() == 1) {
          return CancelResult.REQUESTED;
        }
      }
      return find(id).isPresent() ? CancelResult.ALREADY_FINAL : CancelResult.NOT_FOUND;
    } catch (SQLException e) {
      throw failure("cancel job " + id, e);
    }
  }

  /**
   * Fails every running job whose lease expired: its agent died or lost its database. Such a job is
   * never re-run automatically (a destructive one could do harm twice).
   *
   * @param observer who noticed, for the message (an agent instance or the manager)
   * @param exceptOwner an owner whose jobs are left alone (an agent's own, which it renews), or
   *     null
   * @return the number of jobs marked lost
   */
  @Override
  public int failExpiredLeases(String observer, String exceptOwner) {
    String sql =
        "UPDATE "
            + TABLE
            // assignments run left to right: the message reads lease_expires before it is cleared
            + " SET result=CONCAT('agent lost: ', COALESCE(lease_owner, '?'), ' stopped renewing"
            + " its lease (expired ', DATE_FORMAT(lease_expires, '%Y-%m-%d %H:%i:%s'), ' UTC)"
            + " during phase ', COALESCE(phase, '?'), '; noticed by ', ?, '. The job was not"
            + " re-run: check the node, then submit it again.'),"
            + " state=5, done=1, end=NOW(3), error_code='AGENT_LOST', lease_expires=NULL"
            + " WHERE state IN (1,2) AND lease_expires < NOW(3) AND lease_owner <> ?";
    try (Connection c = writer();
        PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, observer);
      ps.setString(2, exceptOwner == null ? "" : exceptOwner);
      return ps.executeUpdate();
    } catch (SQLException e) {
      throw failure("fail jobs with expired leases", e);
    }
  }

  /** The job's stream secret (hex), read only where its stream is opened. */
  public Optional<String> streamSecret(long id) {
    return read(
        "read the stream secret of job " + id,
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement("SELECT stream_secret FROM " + TABLE + " WHERE id=?")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
              return rs.next() ? Optional.ofNullable(rs.getString(1)) : Optional.<String>empty();
            }
          }
        });
  }

  /** The database's current time (UTC), the clock leases are measured by. */
  public Instant now() {
    return read(
        "read the server clock",
        c -> {
          try (Statement s = c.createStatement();
              ResultSet rs = s.executeQuery("SELECT NOW(3)")) {
            rs.next();
            return instant(rs, 1);
          }
        });
  }

  private Connection writer() throws SQLException {
    Connection c = ds.getConnection();
    try (Statement s = c.createStatement()) {
      s.execute("SET SESSION sql_log_bin=0");
    } catch (SQLException e) {
      c.close();
      if (SqlErrors.isAccessDenied(e)) {
        throw new SQLException(
            "SET sql_log_bin=0 was refused; the user needs BINLOG ADMIN (see sql/grants.sql): "
                + e.getMessage(),
            e.getSQLState(),
            e.getErrorCode(),
            e);
      }
      throw e;
    }
    return c;
  }

  private Optional<Job> queryOne(String sql, Object arg, String what) {
    return read(
        what,
        c -> {
          try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setObject(1, arg);
            try (ResultSet rs = ps.executeQuery()) {
              return rs.next() ? Optional.of(map(rs)) : Optional.<Job>empty();
            }
          }
        });
  }

  /** A read on one connection. */
  @FunctionalInterface
  private interface Read<T> {
    T apply(Connection c) throws SQLException;
  }

  /**
   * Runs a read. When a pooled connection turns out dead mid-query (the server restarted since it
   * was opened), the read is repeated once on a fresh connection; a failure to get a connection at
   * all is not retried (the server is down, and waiting twice helps nobody).
   */
  private <T> T read(String what, Read<T> read) {
    for (int attempt = 1; ; attempt++) {
      Connection c;
      try {
        c = ds.getConnection();
      } catch (SQLException e) {
        throw failure(what, e);
      }
      try (c) {
        return read.apply(c);
      } catch (SQLException e) {
        if (attempt == 1 && SqlErrors.isConnectionLoss(e)) {
          continue;
        }
        throw failure(what, e);
      }
    }
  }

  private static Job map(ResultSet rs) throws SQLException {
    long bytesTotal = rs.getLong("bytes_total");
    Long total = rs.wasNull() ? null : bytesTotal;
    return new Job(
        rs.getLong("id"),
        rs.getString("task"),
        JobState.fromCode(rs.getInt("state")),
        rs.getString("idempotency_key"),
        rs.getString("params"),
        rs.getString("server"),
        rs.getInt("port"),
        rs.getInt("attempts"),
        rs.getString("lease_owner"),
        instant(rs, "lease_expires"),
        rs.getInt("cancel_requested") != 0,
        rs.getString("phase"),
        rs.getLong("bytes_done"),
        total,
        rs.getString("digest"),
        rs.getString("error_code"),
        rs.getString("result"),
        rs.getString("submitted_by"),
        instant(rs, "created"),
        instant(rs, "start"),
        instant(rs, "end"),
        instant(rs, "updated"));
  }

  private static Instant instant(ResultSet rs, String col) throws SQLException {
    LocalDateTime t = rs.getObject(col, LocalDateTime.class);
    return t == null ? null : t.toInstant(ZoneOffset.UTC);
  }

  private static Instant instant(ResultSet rs, int col) throws SQLException {
    LocalDateTime t = rs.getObject(col, LocalDateTime.class);
    return t == null ? null : t.toInstant(ZoneOffset.UTC);
  }

  private static Timestamp utc(Instant i) {
    return i == null ? null : Timestamp.valueOf(LocalDateTime.ofInstant(i, ZoneOffset.UTC));
  }

  /** A phase fits its column (255); a longer one is cut with an ellipsis. */
  private static String phase(String p) {
    return p == null || p.length() <= 255 ? p : p.substring(0, 252) + "...";
  }

  private static String clip(String s) {
    if (s == null || s.length() <= RESULT_MAX_CHARS) {
      return s;
    }
    return s.substring(0, RESULT_MAX_CHARS) + "\n[... clipped at " + RESULT_MAX_CHARS + " chars]";
  }

  private DbJobsException failure(String what, SQLException e) {
    return new DbJobsException(
        SqlErrors.classify(e), "cannot " + what + " on " + where + ": " + SqlErrors.message(e), e);
  }
}
