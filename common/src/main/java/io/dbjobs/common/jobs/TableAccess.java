package io.dbjobs.common.jobs;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.db.SqlErrors;
import io.dbjobs.common.job.Job;
import io.dbjobs.common.job.JobState;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Connections to one node's jobs table: reads (repeated once on a dead pooled connection), writes
 * (always with {@code sql_log_bin=0}, so a node's jobs never reach a replica), and failures that
 * name the node.
 */
final class TableAccess {
  private static final Logger LOG = LoggerFactory.getLogger(TableAccess.class);

  /** How many rows in unknown states are told about by id (each once); the rest are counted. */
  private static final int TOLD_MAX = 100;

  private final DataSource ds;
  private final String where;
  private final Set<Long> told = ConcurrentHashMap.newKeySet();

  TableAccess(DataSource ds, String where) {
    this.ds = ds;
    this.where = where;
  }

  String where() {
    return where;
  }

  /** A read or write on one connection. */
  @FunctionalInterface
  interface Work<T> {
    T apply(Connection c) throws SQLException;
  }

  /**
   * Runs a read. When a pooled connection turns out dead mid-query (the server restarted since it
   * was opened), the read is repeated once on a fresh connection; a failure to get a connection at
   * all is not retried (the server is down, and waiting twice helps nobody).
   */
  <T> T read(String what, Work<T> read) {
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

  /** Runs a write on a connection with {@code sql_log_bin=0}. */
  <T> T write(String what, Work<T> write) {
    try (Connection c = writer()) {
      return write.apply(c);
    } catch (SQLException e) {
      throw failure(what, e);
    }
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

  Optional<Job> one(String whereSql, String what, Object... args) {
    List<Job> rows = many(whereSql, what, args);
    return rows.isEmpty() ? Optional.empty() : Optional.of(rows.get(0));
  }

  List<Job> many(String whereAndOrder, String what, Object... args) {
    String sql = "SELECT " + JobsTable.COLUMNS + " FROM " + JobsTable.NAME + " " + whereAndOrder;
    return read(
        what,
        c -> {
          try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
              ps.setObject(i + 1, args[i]);
            }
            List<Job> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                int state = rs.getInt("state");
                if (!JobState.isCode(state)) {
                  skipped(rs.getLong("id"), state);
                  continue;
                }
                out.add(JobsTable.map(rs));
              }
            }
            return out;
          }
        });
  }

  /**
   * A row in a state dbjobs never writes was written by someone else (the table is not a trust
   * boundary): it is not a job, and must not break a listing, a wait or a preflight. Told once per
   * row.
   */
  private void skipped(long id, int state) {
    if (told.size() < TOLD_MAX && told.add(id)) {
      LOG.warn(
          "ignoring row {} of the jobs table on {}: its state {} is none dbjobs writes (0 to 7);"
              + " someone else wrote it",
          id,
          where,
          state);
    }
  }

  /** The database's current time (UTC), the clock leases are measured by. */
  Instant now() {
    return read(
        "read the server clock",
        c -> {
          try (Statement s = c.createStatement();
              ResultSet rs = s.executeQuery("SELECT NOW(3)")) {
            rs.next();
            return JobsTable.instant(rs, 1);
          }
        });
  }

  DbJobsException failure(String what, SQLException e) {
    return new DbJobsException(
        SqlErrors.classify(e), "cannot " + what + " on " + where + ": " + SqlErrors.message(e), e);
  }
}
