package io.dbjobs.agent.task.reseed.load;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.db.SqlErrors;
import io.dbjobs.common.logical.SchemaObject;
import io.dbjobs.common.logical.Sql;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates a dump's schema objects on the loading node, each with the settings it was created under
 * on the source: databases, tables and sequences (with their next value) before the rows; then
 * functions, procedures, views (a view that needs another view not created yet is retried until a
 * pass makes no progress), triggers (after the rows, so they never fire on them) and events (an
 * event enabled on the source is created {@code DISABLE ON SLAVE}, as replication creates it on a
 * replica). Definers that do not exist here are kept as they are (the server warns; the loading
 * user needs SET USER, part of ALL PRIVILEGES).
 *
 * <p>Limitation: the objects' {@code character_set_client} becomes utf8mb4 (the statements travel
 * as UTF-8); their {@code collation_connection}, sql_mode and time zone are the source's.
 */
final class SchemaApplier {
  private static final Logger LOG = LoggerFactory.getLogger(SchemaApplier.class);
  private static final Pattern INTEGER = Pattern.compile("-?[0-9]{1,40}");
  static final String SESSION_SQL_MODE = "NO_AUTO_VALUE_ON_ZERO,NO_ENGINE_SUBSTITUTION";

  private final Connection c;

  SchemaApplier(Connection c) {
    this.c = c;
  }

  /** Databases, tables, sequences. */
  void beforeRows(List<SchemaObject> objects) {
    for (SchemaObject o : objects) {
      if (o.kind().beforeRows()) {
        run(o, () -> create(o));
      }
    }
  }

  /** Routines, views, triggers and events. */
  void afterRows(List<SchemaObject> objects) {
    List<SchemaObject> views = new ArrayList<>();
    for (SchemaObject o : objects) {
      switch (o.kind()) {
        case FUNCTION, PROCEDURE -> run(o, () -> create(o));
        default -> {}
      }
    }
    for (SchemaObject o : objects) {
      if (o.kind() == SchemaObject.Kind.VIEW) {
        views.add(o);
      }
    }
    createViews(views);
    for (SchemaObject o : objects) {
      switch (o.kind()) {
        case TRIGGER, EVENT -> run(o, () -> create(o));
        default -> {}
      }
    }
  }

  private void createViews(List<SchemaObject> views) {
    List<SchemaObject> todo = views;
    while (!todo.isEmpty()) {
      List<SchemaObject> failed = new ArrayList<>();
      SQLException last = null;
      SchemaObject lastObject = null;
      for (SchemaObject v : todo) {
        try {
          create(v);
        } catch (SQLException e) {
          failed.add(v);
          last = e;
          lastObject = v;
        }
      }
      if (failed.size() == todo.size()) {
        throw failure(lastObject, last);
      }
      todo = failed;
    }
  }

  @FunctionalInterface
  private interface Step {
    void run() throws SQLException;
  }

  private static void run(SchemaObject o, Step step) {
    try {
      step.run();
    } catch (SQLException e) {
      throw failure(o, e);
    }
  }

  private static DbJobsException failure(SchemaObject o, SQLException e) {
    return new DbJobsException(
        ErrorCode.RESTORE_FAILED,
        "creating the " + o.describe() + " failed: " + SqlErrors.message(e),
        e);
  }

  private void create(SchemaObject o) throws SQLException {
    try (Statement s = c.createStatement()) {
      if (o.kind() != SchemaObject.Kind.DATABASE) {
        s.execute("USE " + Sql.id(o.schema()));
      }
      String databaseCollation = null;
      if (o.collationDatabase() != null && !o.kind().beforeRows()) {
        String now = currentCollation(s, o.schema());
        if (!o.collationDatabase().equals(now)) {
          s.execute(
              "ALTER DATABASE "
                  + Sql.id(o.schema())
                  + " COLLATE "
                  + Sql.name(o.collationDatabase()));
          databaseCollation = now;
        }
      }
      try {
        if (o.sqlMode() != null) {
          s.execute("SET SESSION sql_mode = " + Sql.sqlModeLiteral(o.sqlMode()));
        }
        if (o.collationConnection() != null) {
          s.execute(
              "SET SESSION collation_connection = " + Sql.nameLiteral(o.collationConnection()));
        }
        if (o.timeZone() != null) {
          s.execute("SET SESSION time_zone = " + Sql.timeZoneLiteral(o.timeZone()));
        }
        s.execute(o.sql());
      } finally {
        s.execute(
            "SET SESSION sql_mode = '"
                + SESSION_SQL_MODE
                + "', collation_connection = 'utf8mb4_general_ci', time_zone = '+00:00'");
        if (databaseCollation != null) {
          s.execute(
              "ALTER DATABASE " + Sql.id(o.schema()) + " COLLATE " + Sql.name(databaseCollation));
        }
      }
      if (o.kind() == SchemaObject.Kind.SEQUENCE && o.sequence() != null) {
        String next = o.sequence().nextNotCachedValue();
        if (next == null || !INTEGER.matcher(next).matches()) {
          throw new DbJobsException(
              ErrorCode.RESTORE_FAILED,
              "the dump gives the " + o.describe() + " the next value '" + next + "'");
        }
        try (ResultSet rs =
            s.executeQuery(
                "SELECT SETVAL("
                    + Sql.id(o.schema(), o.name())
                    + ", "
                    + next
                    + ", 0, "
                    + o.sequence().cycleCount()
                    + ")")) {
          rs.next();
        }
      }
      if (o.kind() == SchemaObject.Kind.EVENT && "ENABLED".equals(o.eventStatus())) {
        s.execute("ALTER EVENT " + Sql.id(o.schema(), o.name()) + " DISABLE ON SLAVE");
      }
    }
    LOG.debug("created {}", o.describe());
  }

  private static String currentCollation(Statement s, String schema) throws SQLException {
    try (ResultSet rs = s.executeQuery("SELECT @@collation_database")) {
      rs.next();
      return rs.getString(1);
    }
  }
}
