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
  public static final int VERSION = 2;

  /** The DDL of each version, in order; version N is {@code MIGRATIONS.get(N - 1)}. */
  static final List<String> MIGRATIONS = List.of("V1__jobs.sql", "V2__sealed_jobs.sql");

  static final String COMMENT_PREFIX = "dbjobs schema v";
  private static final int LOCK_WAIT_SECONDS = 5;

  private JobsSchema() {}

  /** What {@link #ensure} found or did. */
  public enum Outcome {
    ALREADY_PRESENT,
    CREATED,
    /** An older version was upgraded in place. */
    UPGRADED
  }

  /**
   * Makes sure the jobs table of this build's version exists: creates it, or upgrades an older one
   * in place (each step keeps every row).
   *
   * @param where the node, for messages
   * @throws DbJobsException SCHEMA_CONFLICT when a table of that name exists but is not dbjobs'
   */
  public static Outcome ensure(DataSource ds, String where) {
    try (Connection c = ds.getConnection()) {
      String comment = tableComment(c);
      if (comment != null && checkVersion(comment, where) == VERSION) {
        return Outcome.ALREADY_PRESENT;
      }
      // several managers (or a manager and a test) may meet an old or missing table at once: one
      // migrates, the others wait for it and then find the table current
      if (!lock(c)) {
        throw new DbJobsException(
            ErrorCode.DATABASE_ERROR,
            "creating or upgrading the jobs table on "
                + where
                + " waited "
                + LOCK_WAIT_SECONDS
                + " s for another dbjobs doing the same; it will be retried on the next contact");
      }
      try {
        comment = tableComment(c);
        int from = comment == null ? 0 : checkVersion(comment, where);
        if (from == VERSION) {
          return Outcome.ALREADY_PRESENT;
        }
        try (Statement s = c.createStatement()) {
          s.execute("SET SESSION sql_log_bin=0");
          s.execute("SET SESSION lock_wait_timeout=" + LOCK_WAIT_SECONDS);
          for (int v = from + 1; v <= VERSION; v++) {
            for (String sql : statements(MIGRATIONS.get(v - 1))) {
              s.execute(sql);
            }
          }
        }
        checkVersion(tableComment(c), where);
        return from == 0 ? Outcome.CREATED : Outcome.UPGRADED;
      } finally {
        unlock(c);
      }
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
                + " ADMIN, READ_ONLY ADMIN, and ALTER for upgrades (see sql/grants.sql)",
            e);
      }
      throw new DbJobsException(
          SqlErrors.classify(e),
          "cannot check or create the jobs table on " + where + ": " + SqlErrors.message(e),
          e);
    }
  }

  private static final String LOCK_NAME = "dbjobs.jobs-schema";

  /** A named server lock (no privilege needed) held while the schema is created or upgraded. */
  private static boolean lock(Connection c) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT GET_LOCK(?, ?)")) {
      ps.setString(1, LOCK_NAME);
      ps.setInt(2, LOCK_WAIT_SECONDS);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() && rs.getInt(1) == 1;
      }
    }
  }

  private static void unlock(Connection c) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT RELEASE_LOCK(?)")) {
      ps.setString(1, LOCK_NAME);
      ps.executeQuery().close();
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

  /** The version of an existing table, or SCHEMA_CONFLICT when it is not one this build can use. */
  private static int checkVersion(String comment, String where) {
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
    return version;
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
