package io.dbjobs.common.jobs;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.db.SqlErrors;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * Creates {@code replication_manager_schema.jobs} on a node the first time dbjobs talks to it. It
 * looks in information_schema first and runs DDL only when the table is missing, with {@code
 * sql_log_bin=0} and a short {@code lock_wait_timeout}, so it never replicates, never re-creates,
 * and never queues behind a backup's lock.
 */
public final class JobsSchema {
  /** The schema version this build writes and reads. */
  public static final int VERSION = 1;

  static final String COMMENT_PREFIX = "dbjobs schema v";
  private static final int LOCK_WAIT_SECONDS = 5;

  private JobsSchema() {}

  /** What {@link #ensure} found or did. */
  public enum Outcome {
    ALREADY_PRESENT,
    CREATED
  }

  /**
   * Makes sure the jobs table of this build's version exists.
   *
   * @param where the node, for messages
   * @throws DbJobsException SCHEMA_CONFLICT when a table of that name exists but is not dbjobs'
   */
  public static Outcome ensure(DataSource ds, String where) {
    try (Connection c = ds.getConnection()) {
      String comment = tableComment(c);
      if (comment != null) {
        checkVersion(comment, where);
        return Outcome.ALREADY_PRESENT;
      }
      try (Statement s = c.createStatement()) {
        s.execute("SET SESSION sql_log_bin=0");
        s.execute("SET SESSION lock_wait_timeout=" + LOCK_WAIT_SECONDS);
        for (String sql : statements("V1__jobs.sql")) {
          s.execute(sql);
        }
      }
      checkVersion(tableComment(c), where);
      return Outcome.CREATED;
    } catch (SQLException e) {
      if (SqlErrors.isLockTimeout(e)) {
        throw new DbJobsException(
            ErrorCode.DATABASE_ERROR,
            "creating the jobs table on "
                + where
                + " waited "
                + LOCK_WAIT_SECONDS
                + " s for a metadata lock (a backup or DDL holds it); it will be retried on the"
                + " next contact",
            e);
      }
      if (SqlErrors.isAccessDenied(e)) {
        throw new DbJobsException(
            ErrorCode.PERMISSION_DENIED,
            "cannot create the jobs table on "
                + where
                + ": "
                + SqlErrors.message(e)
                + "; grant the manager user CREATE on replication_manager_schema.* and BINLOG"
                + " ADMIN, READ_ONLY ADMIN (see sql/grants.sql)",
            e);
      }
      throw new DbJobsException(
          SqlErrors.classify(e),
          "cannot check or create the jobs table on " + where + ": " + SqlErrors.message(e),
          e);
    }
  }

  private static String tableComment(Connection c) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT TABLE_COMMENT FROM information_schema.TABLES"
                + " WHERE TABLE_SCHEMA='replication_manager_schema' AND TABLE_NAME='jobs'")) {
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getString(1) : null;
      }
    }
  }

  private static void checkVersion(String comment, String where) {
    if (comment == null || !comment.startsWith(COMMENT_PREFIX)) {
      throw new DbJobsException(
          ErrorCode.SCHEMA_CONFLICT,
          "replication_manager_schema.jobs on "
              + where
              + " was not created by dbjobs (replication-manager's one-row-per-task table?);"
              + " keep it by renaming it, then let dbjobs create its own: RENAME TABLE"
              + " replication_manager_schema.jobs TO replication_manager_schema.jobs_legacy");
    }
    int version;
    try {
      version = Integer.parseInt(comment.substring(COMMENT_PREFIX.length()).trim());
    } catch (NumberFormatException e) {
      throw new DbJobsException(
          ErrorCode.SCHEMA_CONFLICT,
          "replication_manager_schema.jobs on "
              + where
              + " has an unreadable version comment '"
              + comment
              + "'",
          e);
    }
    if (version > VERSION) {
      throw new DbJobsException(
          ErrorCode.SCHEMA_CONFLICT,
          "replication_manager_schema.jobs on "
              + where
              + " is at schema v"
              + version
              + ", newer than this dbjobs (v"
              + VERSION
              + "); upgrade dbjobs on this host");
    }
  }

  /** The statements of a versioned DDL file shipped in the jar (from the project's sql/). */
  static List<String> statements(String file) {
    String text;
    try (InputStream in = JobsSchema.class.getResourceAsStream("/io/dbjobs/sql/" + file)) {
      if (in == null) {
        throw new DbJobsException(ErrorCode.INTERNAL, "DDL " + file + " missing from the jar");
      }
      text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new DbJobsException(ErrorCode.INTERNAL, "cannot read DDL " + file + " from the jar", e);
    }
    List<String> out = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    for (String line : text.split("\n")) {
      String trimmed = line.strip();
      if (trimmed.startsWith("--") || trimmed.isEmpty()) {
        continue;
      }
      cur.append(line).append('\n');
      if (trimmed.endsWith(";")) {
        String sql = cur.toString().strip();
        out.add(sql.substring(0, sql.length() - 1));
        cur.setLength(0);
      }
    }
    if (!cur.toString().isBlank()) {
      out.add(cur.toString().strip());
    }
    return out;
  }
}
