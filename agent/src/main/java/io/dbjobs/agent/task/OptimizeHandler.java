package io.dbjobs.agent.task;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.db.SqlErrors;
import io.dbjobs.common.job.JobOutcome;
import io.dbjobs.common.job.Task;
import io.dbjobs.common.job.params.OptimizeParams;
import io.dbjobs.common.sql.SqlIdentifiers;
import io.dbjobs.common.time.Durations;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code optimize}: runs {@code OPTIMIZE NO_WRITE_TO_BINLOG TABLE} (or {@code ANALYZE
 * NO_WRITE_TO_BINLOG TABLE} with {@code mode=analyze}) on each table, one at a time, so the work
 * stays on this node and never replicates. Progress is counted in table bytes. A table the server
 * reports an error for fails the job, after the others were done. "Every user table" is every table
 * the agent's user can see: {@code sql/grants.sql} grants it SELECT, INSERT per database to
 * optimize, never on {@code *.*}.
 */
public final class OptimizeHandler implements TaskHandler {
  /** MySQL/MariaDB 1142: "INSERT command denied to user ... for table ...". */
  private static final int ER_TABLEACCESS_DENIED_ERROR = 1142;

  private static final String SYSTEM_SCHEMAS =
      "'mysql','information_schema','performance_schema','sys','replication_manager_schema'";

  @Override
  public Task task() {
    return Task.OPTIMIZE;
  }

  /** A table to work on and its size in bytes (data + indexes). */
  record TableRef(String schema, String name, long bytes) {
    String quoted() {
      return SqlIdentifiers.qualified(schema, name);
    }

    String display() {
      return schema + "." + name;
    }
  }

  @Override
  public JobOutcome run(JobContext ctx) throws SQLException {
    OptimizeParams params = ctx.params(OptimizeParams.class);
    String mode = params.mode();
    // the statement's verb from a fixed list, never from the parameter's text
    String verb =
        switch (mode) {
          case "optimize" -> "OPTIMIZE";
          case "analyze" -> "ANALYZE";
          default ->
              throw new DbJobsException(
                  ErrorCode.BAD_PARAMETER,
                  "task optimize: parameter 'mode' must be optimize or analyze");
        };
    long start = System.nanoTime();
    List<String> errors = new ArrayList<>();
    List<String> notGranted = new ArrayList<>();
    List<TableRef> tables;
    boolean everyTable = params.tables() == null || params.tables().isBlank();
    try (Connection c = ctx.database().getConnection()) {
      tables = resolve(c, params.tables());
      long total = tables.stream().mapToLong(TableRef::bytes).sum();
      long done = 0;
      int i = 0;
      for (TableRef t : tables) {
        ctx.checkStopping();
        i++;
        ctx.progress(mode + " " + i + "/" + tables.size() + " " + t.display(), done, total);
        try (Statement s = c.createStatement();
            JobContext.Registration onStop = ctx.onStop(() -> cancelQuietly(s))) {
          try (ResultSet rs = s.executeQuery(verb + " NO_WRITE_TO_BINLOG TABLE " + t.quoted())) {
            while (rs.next()) {
              if ("error".equalsIgnoreCase(rs.getString("Msg_type"))) {
                errors.add(t.display() + ": " + rs.getString("Msg_text"));
              }
            }
          }
        } catch (SQLException e) {
          ctx.checkStopping();
          if (SqlErrors.isConnectionLoss(e)) {
            throw e;
          }
          if (everyTable && e.getErrorCode() == ER_TABLEACCESS_DENIED_ERROR) {
            // not one of the databases the agent was granted INSERT on for optimize
            notGranted.add(t.display());
          } else {
            errors.add(t.display() + ": " + SqlErrors.message(e));
          }
        }
        done += t.bytes();
        ctx.progress(mode + " " + i + "/" + tables.size() + " " + t.display(), done, total);
      }
    }
    String took = Durations.human(Duration.ofNanos(System.nanoTime() - start));
    if (!errors.isEmpty()) {
      return JobOutcome.failed(
          ErrorCode.DATABASE_ERROR,
          mode
              + " failed on "
              + errors.size()
              + " of "
              + tables.size()
              + " tables ("
              + took
              + "):\n"
              + String.join("\n", errors));
    }
    int worked = tables.size() - notGranted.size();
    return JobOutcome.succeeded(
        mode
            + " done on "
            + worked
            + " tables in "
            + took
            + " (not written to the binlog)"
            + (notGranted.isEmpty()
                ? ""
                : "; "
                    + notGranted.size()
                    + " tables skipped, the agent's user may not "
                    + mode
                    + " them (grant SELECT, INSERT on their database, see sql/grants.sql): "
                    + String.join(", ", notGranted.stream().limit(20).toList())
                    + (notGranted.size() > 20 ? " and more" : ""))
            + (worked == 0
                ? "; no table to work on: grant the agent's user SELECT, INSERT on each database"
                    + " to optimize (sql/grants.sql)"
                : ""));
  }

  /** The tables named by the {@code tables} parameter, or every user table when it is absent. */
  static List<TableRef> resolve(Connection c, String spec) throws SQLException {
    String base =
        "SELECT TABLE_SCHEMA, TABLE_NAME, COALESCE(DATA_LENGTH,0)+COALESCE(INDEX_LENGTH,0)"
            + " FROM information_schema.TABLES WHERE TABLE_TYPE IN ('BASE TABLE','SYSTEM VERSIONED')";
    if (spec == null || spec.isBlank()) {
      return query(c, base + " AND TABLE_SCHEMA NOT IN (" + SYSTEM_SCHEMAS + ") ORDER BY 1, 2");
    }
    List<TableRef> out = new ArrayList<>();
    for (String ref : spec.split(",")) {
      String r = ref.trim();
      int dot = r.indexOf('.');
      String schema = r.substring(0, dot);
      String name = r.substring(dot + 1);
      List<TableRef> found =
          name.equals("*")
              ? query(c, base + " AND TABLE_SCHEMA=? ORDER BY 2", schema)
              : query(c, base + " AND TABLE_SCHEMA=? AND TABLE_NAME=?", schema, name);
      if (found.isEmpty()) {
        throw new DbJobsException(
            ErrorCode.BAD_PARAMETER,
            "task optimize: parameter 'tables' names "
                + r
                + ", which matches no base table on this node");
      }
      out.addAll(found);
    }
    return out;
  }

  private static List<TableRef> query(Connection c, String sql, String... args)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) {
        ps.setString(i + 1, args[i]);
      }
      List<TableRef> out = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(new TableRef(rs.getString(1), rs.getString(2), rs.getLong(3)));
        }
      }
      return out;
    }
  }

  private static void cancelQuietly(Statement s) {
    try {
      s.cancel();
    } catch (SQLException e) {
      // the statement already ended; the job's stop reason is reported by the loop
    }
  }
}
