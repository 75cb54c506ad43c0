package io.dbjobs.agent.task.reseed;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.db.SqlErrors;
import io.dbjobs.common.jobs.JobsSchema;
import io.dbjobs.common.jobs.JobsTable;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.sql.DataSource;

/**
 * A node's own job history across a physical restore: the restored datadir carries the donor's jobs
 * table, so the joiner's rows are read before the swap, saved in a file (forced to disk, private to
 * the agent) next to the swap's journal, and put back from that file after the swap, never
 * binary-logged, the running reseed job's row among them. Values are kept as the server's text;
 * wrapped stream secrets are not kept (a finished job's secret is of no use, the running job's
 * stream is over).
 *
 * @param columns the jobs table's column names, in order
 * @param rows each row's values as text (null for SQL NULL)
 */
record JobsHistory(List<String> columns, List<List<String>> rows) {
  private static final String SECRET_COLUMN = "secret_box";

  int size() {
    return rows.size();
  }

  /** Reads every row of this node's jobs table. */
  static JobsHistory read(DataSource ds) {
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT * FROM " + JobsTable.NAME + " ORDER BY id")) {
      ResultSetMetaData md = rs.getMetaData();
      List<String> cols = new ArrayList<>();
      for (int i = 1; i <= md.getColumnCount(); i++) {
        cols.add(md.getColumnName(i));
      }
      List<List<String>> rows = new ArrayList<>();
      while (rs.next()) {
        List<String> r = new ArrayList<>(cols.size());
        for (int i = 0; i < cols.size(); i++) {
          boolean secret = cols.get(i).toLowerCase(Locale.ROOT).equals(SECRET_COLUMN);
          r.add(secret ? null : rs.getString(i + 1));
        }
        rows.add(r);
      }
      return new JobsHistory(cols, rows);
    } catch (SQLException e) {
      throw new DbJobsException(
          SqlErrors.classify(e),
          "cannot read this node's job history before the restore: " + SqlErrors.message(e),
          e);
    }
  }

  /** Saves the history in {@code file} (0600, forced to disk) before the swap. */
  void save(Path file) {
    try {
      DurableFiles.writeAtomically(file, StepJournal.JSON.writeValueAsBytes(this));
    } catch (IOException e) {
      throw new DbJobsException(
          ErrorCode.RESTORE_FAILED,
          "cannot save this node's job history in " + file + " before the swap: " + e,
          e);
    }
  }

  /** The history saved in {@code file}. */
  static JobsHistory load(Path file) {
    try {
      return StepJournal.JSON.readValue(file.toFile(), JobsHistory.class);
    } catch (IOException e) {
      throw new DbJobsException(
          ErrorCode.RESTORE_FAILED,
          "cannot read this node's job history saved in " + file + ": " + e,
          e);
    }
  }

  /**
   * Replaces the restored jobs table (the donor's history, in whatever shape the donor had) with a
   * fresh one holding this node's own rows.
   */
  void restore(DataSource ds, String where) {
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      s.execute("SET SESSION sql_log_bin=0");
      s.execute("DROP TABLE IF EXISTS " + JobsTable.NAME);
    } catch (SQLException e) {
      throw new DbJobsException(
          ErrorCode.RESTORE_FAILED,
          "dropping the donor's job history from the new data failed: " + SqlErrors.message(e),
          e);
    }
    JobsSchema.ensure(ds, where);
    String cols = String.join(", ", columns.stream().map(KeptAside::q).toList());
    String marks = String.join(", ", columns.stream().map(c -> "?").toList());
    try (Connection c = ds.getConnection()) {
      c.setAutoCommit(false);
      try (Statement s = c.createStatement()) {
        s.execute("SET SESSION sql_log_bin=0");
        s.execute("DELETE FROM " + JobsTable.NAME);
      }
      try (PreparedStatement ps =
          c.prepareStatement(
              "INSERT INTO " + JobsTable.NAME + " (" + cols + ") VALUES (" + marks + ")")) {
        for (List<String> r : rows) {
          for (int i = 0; i < r.size(); i++) {
            ps.setString(i + 1, r.get(i));
          }
          ps.addBatch();
        }
        ps.executeBatch();
      }
      c.commit();
    } catch (SQLException e) {
      throw new DbJobsException(
          ErrorCode.RESTORE_FAILED,
          "putting this node's job history back into the new data failed: " + SqlErrors.message(e),
          e);
    }
  }
}
