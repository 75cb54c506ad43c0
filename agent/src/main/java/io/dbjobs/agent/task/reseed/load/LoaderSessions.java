package io.dbjobs.agent.task.reseed.load;

import io.dbjobs.common.logical.SourceDb;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;

/**
 * The client sessions of one parts load, all with the same settings: binary logging off, UTC,
 * {@code NO_AUTO_VALUE_ON_ZERO} (a dumped 0 stays 0) and {@code NO_ENGINE_SUBSTITUTION} (a table
 * whose engine the node lacks fails instead of silently changing engine), unique and foreign key
 * checks off (the rows come from one consistent snapshot; InnoDB then bulk-loads an empty table,
 * building its indexes by sort), history rows accepted into system-versioned tables. {@link
 * #abortAll} ends every session at once (a failed or cancelled load).
 */
final class LoaderSessions {
  private final SourceDb db;
  private final List<Connection> open = new ArrayList<>();
  private boolean aborted;

  LoaderSessions(SourceDb db) {
    this.db = db;
  }

  Connection open(boolean history) throws SQLException {
    synchronized (open) {
      if (aborted) {
        throw new SQLException("the load was stopped");
      }
    }
    Connection c = db.open();
    synchronized (open) {
      open.add(c);
    }
    try (Statement s = c.createStatement()) {
      s.execute(
          "SET SESSION sql_log_bin = 0, time_zone = '+00:00',"
              + " sql_mode = 'NO_AUTO_VALUE_ON_ZERO,NO_ENGINE_SUBSTITUTION',"
              + " unique_checks = 0, foreign_key_checks = 0, net_read_timeout = 3600,"
              + " net_write_timeout = 3600, max_statement_time = 0, wait_timeout = 86400");
      if (history) {
        s.execute("SET SESSION system_versioning_insert_history = 1");
      }
    }
    return c;
  }

  void close(Connection c) {
    synchronized (open) {
      open.remove(c);
    }
    try {
      c.close();
    } catch (SQLException e) {
      // a session we are done with: nothing left to do with it
    }
  }

  void abortAll() {
    List<Connection> copy;
    synchronized (open) {
      aborted = true;
      copy = new ArrayList<>(open);
      open.clear();
    }
    Executor direct = Runnable::run;
    for (Connection c : copy) {
      try {
        c.abort(direct);
      } catch (SQLException | RuntimeException e) {
        // aborting a session of a failed load: the server ends it when the socket closes
      }
    }
  }
}
