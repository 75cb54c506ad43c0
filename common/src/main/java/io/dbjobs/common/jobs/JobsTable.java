package io.dbjobs.common.jobs;

import io.dbjobs.common.job.Job;
import io.dbjobs.common.job.JobState;
import io.dbjobs.common.job.RowSeal;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;

/**
 * The shape of {@code replication_manager_schema.jobs}: its name, the columns a {@link Job} is read
 * from, and how values are clipped to fit. The two sides that write it are {@link ManagerJobsTable}
 * and {@link AgentJobsTable}; nothing else writes job states.
 */
public final class JobsTable {
  public static final String NAME = "replication_manager_schema.jobs";

  static final int RESULT_MAX_CHARS = 60_000;

  /** Every column a Job is read from; {@code lease_expired} is judged by the database's clock. */
  static final String COLUMNS =
      "id, task, state, idempotency_key, params, server, port, attempts, lease_owner,"
          + " lease_expires, cancel_requested, phase, bytes_done, bytes_total, digest, error_code,"
          + " result, submitted_by, created, start, end, updated,"
          + " (state IN ("
          + JobState.RUNNING.code()
          + ","
          + JobState.WAITING_FOR_STREAM.code()
          + ") AND lease_expires < NOW(3)) AS lease_expired,"
          + " node, seal, secret_box, peer_name";

  /** {@code state IN (1,2)}: the states in which an agent holds a lease. */
  static final String ACTIVE =
      "state IN (" + JobState.RUNNING.code() + "," + JobState.WAITING_FOR_STREAM.code() + ")";

  private JobsTable() {}

  static Job map(ResultSet rs) throws SQLException {
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
        instant(rs, "updated"),
        rs.getInt("lease_expired") == 1,
        new RowSeal(
            rs.getString("node"),
            rs.getString("seal"),
            rs.getString("secret_box"),
            rs.getString("peer_name")));
  }

  static Instant instant(ResultSet rs, String col) throws SQLException {
    LocalDateTime t = rs.getObject(col, LocalDateTime.class);
    return t == null ? null : t.toInstant(ZoneOffset.UTC);
  }

  static Instant instant(ResultSet rs, int col) throws SQLException {
    LocalDateTime t = rs.getObject(col, LocalDateTime.class);
    return t == null ? null : t.toInstant(ZoneOffset.UTC);
  }

  static Timestamp utc(Instant i) {
    return i == null ? null : Timestamp.valueOf(LocalDateTime.ofInstant(i, ZoneOffset.UTC));
  }

  /** A phase fits its column (255); a longer one is cut with an ellipsis. */
  static String phase(String p) {
    return p == null || p.length() <= 255 ? p : p.substring(0, 252) + "...";
  }

  static String clip(String s) {
    if (s == null || s.length() <= RESULT_MAX_CHARS) {
      return s;
    }
    return s.substring(0, RESULT_MAX_CHARS) + "\n[... clipped at " + RESULT_MAX_CHARS + " chars]";
  }
}
