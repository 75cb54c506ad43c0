package io.dbjobs.agent.task.reseed;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.db.SqlErrors;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's user schemas set aside while a logical dump is loaded in their place, so a failed load
 * can put them back. Tables are renamed into a holding schema (a metadata change); views, routines,
 * events and triggers are saved as their {@code SHOW CREATE} text and dropped (MariaDB renames no
 * table with triggers into another schema). Nothing here is binary-logged.
 */
final class KeptAside {
  private static final Logger LOG = LoggerFactory.getLogger(KeptAside.class);
  static final String HOLD_PREFIX = "_dbjobs_old_";
  private static final String SYSTEM =
      "'mysql','information_schema','performance_schema','sys','replication_manager_schema'";

  /** One schema set aside. */
  record Held(
      String schema,
      String hold,
      String charset,
      String collation,
      List<String> tables,
      List<String> definitions) {}

  private final DataSource ds;
  private final List<Held> held;

  private KeptAside(DataSource ds, List<Held> held) {
    this.ds = ds;
    this.held = held;
  }

  List<String> schemas() {
    return held.stream().map(Held::schema).toList();
  }

  /** Sets every user schema aside (none are left under their names). */
  static KeptAside setAside(DataSource ds, long jobId) {
    List<Held> done = new ArrayList<>();
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      s.execute("SET SESSION sql_log_bin=0");
      List<String[]> schemas = new ArrayList<>();
      try (ResultSet rs =
          s.executeQuery(
              "SELECT SCHEMA_NAME, DEFAULT_CHARACTER_SET_NAME, DEFAULT_COLLATION_NAME FROM information_schema.SCHEMATA"
                  + " WHERE SCHEMA_NAME NOT IN ("
                  + SYSTEM
                  + ") AND SCHEMA_NAME NOT LIKE '\\_dbjobs\\_old\\_%'"
                  + " ORDER BY 1")) {
        while (rs.next()) {
          schemas.add(new String[] {rs.getString(1), rs.getString(2), rs.getString(3)});
        }
      }
      int i = 0;
      for (String[] sc : schemas) {
        String schema = sc[0];
        String hold = HOLD_PREFIX + jobId + "_" + (++i);
        List<String> definitions = new ArrayList<>();
        definitions.addAll(
            showCreate(
                s,
                "PROCEDURE",
                schema,
                "SELECT ROUTINE_NAME FROM information_schema.ROUTINES WHERE ROUTINE_TYPE='PROCEDURE' AND ROUTINE_SCHEMA=",
                3));
        definitions.addAll(
            showCreate(
                s,
                "FUNCTION",
                schema,
                "SELECT ROUTINE_NAME FROM information_schema.ROUTINES WHERE ROUTINE_TYPE='FUNCTION' AND ROUTINE_SCHEMA=",
                3));
        definitions.addAll(
            showCreate(
                s,
                "VIEW",
                schema,
                "SELECT TABLE_NAME FROM information_schema.VIEWS WHERE TABLE_SCHEMA=",
                2));
        definitions.addAll(
            showCreate(
                s,
                "EVENT",
                schema,
                "SELECT EVENT_NAME FROM information_schema.EVENTS WHERE EVENT_SCHEMA=",
                4));
        // MariaDB renames no table with triggers into another schema: triggers are kept as text too
        definitions.addAll(
            showCreate(
                s,
                "TRIGGER",
                schema,
                "SELECT TRIGGER_NAME FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA=",
                3));
        List<String> tables =
            names(
                s,
                "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_TYPE IN ('BASE TABLE','SYSTEM VERSIONED','SEQUENCE') AND TABLE_SCHEMA="
                    + lit(schema));
        s.execute(
            "CREATE DATABASE "
                + q(hold)
                + " CHARACTER SET "
                + sc[1]
                + " COLLATE "
                + sc[2]
                + " COMMENT "
                + lit("dbjobs: the old contents of " + schema + ", set aside by job " + jobId));
        if (!tables.isEmpty()) {
          List<String> pairs = new ArrayList<>();
          for (String t : tables) {
            pairs.add(q(schema) + "." + q(t) + " TO " + q(hold) + "." + q(t));
          }
          s.execute("RENAME TABLE " + String.join(", ", pairs));
        }
        s.execute("DROP DATABASE " + q(schema));
        done.add(new Held(schema, hold, sc[1], sc[2], tables, definitions));
        LOG.info(
            "schema {} set aside as {} ({} tables, {} views/routines/events)",
            schema,
            hold,
            tables.size(),
            definitions.size());
      }
      return new KeptAside(ds, done);
    } catch (SQLException e) {
      KeptAside partial = new KeptAside(ds, done);
      try {
        partial.putBack();
      } catch (RuntimeException r) {
        e.addSuppressed(r);
      }
      throw new DbJobsException(
          ErrorCode.RESTORE_FAILED,
          "setting the node's schemas aside before the load failed: " + SqlErrors.message(e),
          e);
    }
  }

  /** Drops whatever was loaded under the original names and puts the old schemas back. */
  void putBack() {
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      s.execute("SET SESSION sql_log_bin=0");
      for (Held h : held) {
        s.execute("DROP DATABASE IF EXISTS " + q(h.schema()));
        s.execute(
            "CREATE DATABASE "
                + q(h.schema())
                + " CHARACTER SET "
                + h.charset()
                + " COLLATE "
                + h.collation());
        if (!h.tables().isEmpty()) {
          List<String> pairs = new ArrayList<>();
          for (String t : h.tables()) {
            pairs.add(q(h.hold()) + "." + q(t) + " TO " + q(h.schema()) + "." + q(t));
          }
          s.execute("RENAME TABLE " + String.join(", ", pairs));
        }
        s.execute("USE " + q(h.schema()));
        recreate(s, h.definitions());
        s.execute("DROP DATABASE " + q(h.hold()));
        LOG.info("schema {} put back from {}", h.schema(), h.hold());
      }
      // schemas the load created that did not exist before
      for (String extra : loadedOnly(s)) {
        s.execute("DROP DATABASE " + q(extra));
      }
    } catch (SQLException e) {
      throw new DbJobsException(
          ErrorCode.RESTORE_FAILED,
          "putting the old schemas back failed: "
              + SqlErrors.message(e)
              + "; they are in the "
              + HOLD_PREFIX
              + "* schemas",
          e);
    }
  }

  private List<String> loadedOnly(Statement s) throws SQLException {
    List<String> before = schemas();
    List<String> now =
        names(
            s,
            "SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME NOT IN ("
                + SYSTEM
                + ") AND SCHEMA_NAME NOT LIKE '\\_dbjobs\\_old\\_%'");
    now.removeAll(before);
    return now;
  }

  /**
   * Re-creates saved objects; a view that needs another one not yet re-created fails on the first
   * pass and is retried until every object exists or a pass makes no progress.
   */
  private static void recreate(Statement s, List<String> definitions) throws SQLException {
    List<String> todo = new ArrayList<>(definitions);
    while (!todo.isEmpty()) {
      List<String> failed = new ArrayList<>();
      SQLException last = null;
      for (String def : todo) {
        try {
          s.execute(def);
        } catch (SQLException e) {
          failed.add(def);
          last = e;
        }
      }
      if (failed.size() == todo.size()) {
        throw last;
      }
      todo = failed;
    }
  }

  /** The load succeeded: drop the held schemas (or keep them under their holding names). */
  void commit(boolean keep) {
    if (keep) {
      LOG.info("old schemas kept as {}", held.stream().map(Held::hold).toList());
      return;
    }
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      s.execute("SET SESSION sql_log_bin=0");
      for (Held h : held) {
        s.execute("DROP DATABASE IF EXISTS " + q(h.hold()));
      }
    } catch (SQLException e) {
      throw new DbJobsException(
          ErrorCode.INTERNAL,
          "the reseed succeeded but dropping the old schemas failed: " + SqlErrors.message(e),
          e);
    }
  }

  List<String> holds() {
    return held.stream().map(Held::hold).toList();
  }

  private static List<String> showCreate(
      Statement s, String kind, String schema, String listQuery, int column) throws SQLException {
    List<String> out = new ArrayList<>();
    for (String name : names(s, listQuery + lit(schema))) {
      try (ResultSet rs = s.executeQuery("SHOW CREATE " + kind + " " + q(schema) + "." + q(name))) {
        if (rs.next()) {
          out.add(rs.getString(column));
        }
      }
      s.execute("DROP " + kind + " " + q(schema) + "." + q(name));
    }
    return out;
  }

  private static List<String> names(Statement s, String sql) throws SQLException {
    List<String> out = new ArrayList<>();
    try (ResultSet rs = s.executeQuery(sql)) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    }
    return out;
  }

  static String q(String identifier) {
    return "`" + identifier.replace("`", "``") + "`";
  }

  static String lit(String s) {
    return Replication.literal(s);
  }
}
