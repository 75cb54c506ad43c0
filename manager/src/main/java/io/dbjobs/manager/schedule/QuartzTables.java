package io.dbjobs.manager.schedule;

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
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates Quartz's tables in the JDBC store's database when it has none, from the DDL Quartz ships
 * ({@code org/quartz/impl/jdbcjobstore/tables_mysql_innodb.sql}, without its {@code DROP TABLE}s).
 * Managers starting together take a named lock first, so one creates and the others find the
 * tables. A partial set of tables is refused, never completed or dropped.
 */
public final class QuartzTables {
  private static final Logger LOG = LoggerFactory.getLogger(QuartzTables.class);
  static final String DDL = "org/quartz/impl/jdbcjobstore/tables_mysql_innodb.sql";
  static final Set<String> TABLES =
      Set.of(
          "QRTZ_JOB_DETAILS",
          "QRTZ_TRIGGERS",
          "QRTZ_SIMPLE_TRIGGERS",
          "QRTZ_CRON_TRIGGERS",
          "QRTZ_SIMPROP_TRIGGERS",
          "QRTZ_BLOB_TRIGGERS",
          "QRTZ_CALENDARS",
          "QRTZ_PAUSED_TRIGGER_GRPS",
          "QRTZ_FIRED_TRIGGERS",
          "QRTZ_SCHEDULER_STATE",
          "QRTZ_LOCKS");
  private static final String LOCK = "dbjobs_quartz_schema";

  /** What {@link #ensure} found or did. */
  public enum Outcome {
    ALREADY_PRESENT,
    CREATED
  }

  private QuartzTables() {}

  /**
   * Makes sure the store's database has Quartz's tables.
   *
   * @param create whether to create them when there are none ({@code scheduler.jdbc.createTables})
   * @param where the store, for messages ({@code user@url})
   */
  public static Outcome ensure(DataSource ds, boolean create, String where) {
    try (Connection c = ds.getConnection()) {
      String db = value(c, "SELECT DATABASE()");
      if (db == null) {
        throw new DbJobsException(
            ErrorCode.CONFIG_INVALID,
            "scheduler.jdbc.url names no database; add one: jdbc:mysql://HOST:PORT/dbjobs_scheduler");
      }
      if (!"1".equals(value(c, "SELECT GET_LOCK('" + LOCK + "', 30)"))) {
        throw new DbJobsException(
            ErrorCode.TIMEOUT,
            "another manager held the scheduler schema lock on " + where + " for 30 s; try again");
      }
      try {
        Set<String> present = present(c);
        if (present.containsAll(TABLES)) {
          return Outcome.ALREADY_PRESENT;
        }
        if (!present.isEmpty()) {
          Set<String> missing = new TreeSet<>(TABLES);
          missing.removeAll(present);
          throw new DbJobsException(
              ErrorCode.SCHEMA_CONFLICT,
              "database "
                  + db
                  + " ("
                  + where
                  + ") has some of Quartz's tables but not "
                  + missing
                  + "; dbjobs neither completes nor drops a partial set: drop the QRTZ_ tables (no"
                  + " schedule state is lost that manager.yml does not recreate) or create the"
                  + " missing ones (dbjobs serve --print-scheduler-ddl)");
        }
        if (!create) {
          throw new DbJobsException(
              ErrorCode.CONFIG_INVALID,
              "database "
                  + db
                  + " ("
                  + where
                  + ") has no Quartz tables and scheduler.jdbc.createTables is false: create them"
                  + " with dbjobs serve --print-scheduler-ddl | mariadb "
                  + db);
        }
        try (Statement s = c.createStatement()) {
          for (String sql : statements()) {
            s.execute(sql);
          }
        }
        LOG.info("created Quartz's tables in database {} ({})", db, where);
        return Outcome.CREATED;
      } finally {
        value(c, "SELECT RELEASE_LOCK('" + LOCK + "')");
      }
    } catch (SQLException e) {
      if (SqlErrors.isAccessDenied(e)) {
        throw new DbJobsException(
            ErrorCode.PERMISSION_DENIED,
            "the scheduler store "
                + where
                + " refused: "
                + SqlErrors.message(e)
                + ". The user needs SELECT, INSERT, UPDATE, DELETE on the store's database, and"
                + " CREATE, INDEX, REFERENCES to create Quartz's tables (see sql/grants.sql); or"
                + " have an administrator create them (dbjobs serve --print-scheduler-ddl) and set"
                + " scheduler.jdbc.createTables: false",
            e);
      }
      throw new DbJobsException(
          SqlErrors.classify(e),
          "cannot prepare the scheduler store " + where + ": " + SqlErrors.message(e),
          e);
    }
  }

  private static Set<String> present(Connection c) throws SQLException {
    Set<String> out = new TreeSet<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()")) {
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String t = rs.getString(1).toUpperCase(Locale.ROOT);
          if (TABLES.contains(t)) {
            out.add(t);
          }
        }
      }
    }
    return out;
  }

  private static String value(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      return rs.next() ? rs.getString(1) : null;
    }
  }

  /**
   * The CREATE statements of Quartz's MySQL/InnoDB DDL, each {@code IF NOT EXISTS} where MySQL
   * allows it, without the script's {@code DROP TABLE}s and {@code commit}.
   */
  public static List<String> statements() {
    String text;
    try (InputStream in = org.quartz.Scheduler.class.getClassLoader().getResourceAsStream(DDL)) {
      if (in == null) {
        throw new DbJobsException(
            ErrorCode.INTERNAL, DDL + " is missing from the Quartz jar on the class path");
      }
      text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new DbJobsException(ErrorCode.INTERNAL, "cannot read " + DDL, e);
    }
    StringBuilder sb = new StringBuilder();
    for (String line : text.split("\n")) {
      String l = line.strip();
      if (!l.startsWith("#") && !l.startsWith("--")) {
        sb.append(line).append('\n');
      }
    }
    List<String> out = new ArrayList<>();
    for (String stmt : sb.toString().split(";")) {
      String s = stmt.strip();
      String upper = s.toUpperCase(Locale.ROOT);
      if (s.isEmpty() || upper.startsWith("DROP ") || upper.equals("COMMIT")) {
        continue;
      }
      if (upper.startsWith("CREATE TABLE ")) {
        s = "CREATE TABLE IF NOT EXISTS " + s.substring("CREATE TABLE ".length());
      }
      out.add(s);
    }
    return out;
  }
}
