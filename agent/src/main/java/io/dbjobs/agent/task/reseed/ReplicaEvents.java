package io.dbjobs.agent.task.reseed;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.db.SqlErrors;
import io.dbjobs.common.logical.Sql;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * After a plain SQL dump was loaded: its events were created as the source had them, and an event
 * enabled on the primary would run on this replica too. Replication creates such events {@code
 * DISABLE ON SLAVE}; so does this, for every enabled event of the user schemas (binary log off).
 */
final class ReplicaEvents {
  private ReplicaEvents() {}

  /** Returns the events it disabled on this replica, as {@code db.event}. */
  static List<String> disableOnReplica(DataSource db) {
    List<String[]> enabled = new ArrayList<>();
    try (Connection c = db.getConnection();
        Statement s = c.createStatement()) {
      s.execute("SET SESSION sql_log_bin=0");
      try (ResultSet rs =
          s.executeQuery(
              "SELECT EVENT_SCHEMA, EVENT_NAME FROM information_schema.EVENTS"
                  + " WHERE STATUS = 'ENABLED'")) {
        while (rs.next()) {
          enabled.add(new String[] {rs.getString(1), rs.getString(2)});
        }
      }
      List<String> done = new ArrayList<>();
      for (String[] e : enabled) {
        s.execute("ALTER EVENT " + Sql.id(e[0], e[1]) + " DISABLE ON SLAVE");
        done.add(e[0] + "." + e[1]);
      }
      return done;
    } catch (SQLException e) {
      throw new DbJobsException(
          ErrorCode.RESTORE_FAILED,
          "the dump loaded, but its enabled events could not be disabled on this replica: "
              + SqlErrors.message(e),
          e);
    }
  }
}
