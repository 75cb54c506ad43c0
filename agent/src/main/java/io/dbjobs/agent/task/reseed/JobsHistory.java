package io.dbjobs.agent.task.reseed;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.db.SqlErrors;
import io.dbjobs.common.jobs.JobsSchema;
import io.dbjobs.common.jobs.JobsTable;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * A node's own job history across a physical restore: the restored datadir carries the donor's jobs
 * table, so the joiner's rows are read before the swap and put back after it (never binary-logged),
 * the running reseed job's row among them.
 */
final class JobsHistory {
  private final List<String> columns;
  private final List<Object[]> rows;

  private JobsHistory(List<String> columns, List<Object[]> rows) {
    this.columns = columns;
    this.rows = rows;
  }

  int size() {
    return rows.size();
  }

  /** Reads every row of this node's jobs table. */
  static JobsHistory save(DataSource ds) {
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT * FROM " + JobsTable.NAME + " ORDER BY id")) {
      ResultSetMetaData md = rs.getMetaData();
      List<String> cols = new ArrayList<>();
      for (int i = 1; i <= md.getColumnCount(); i++) {
        cols.add(md.getColumnName(i));
      }
      List<Object[]> rows = new ArrayList<>();
      while (rs.next()) {
        Object[] r = new Object[cols.size()];
        for (int i = 0; i < r.length; i++) {
          r[i] = rs.getObject(i + 1);
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
          "the restore succeeded but dropping the donor's job history failed: "
              + SqlErrors.message(e),
          e);
    }
    JobsSchema.ensure(ds, where);
    String cols = String.join(", ", columns.stream().map(c -> "`" + c + "`").toList());
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
        for (Object[] r : rows) {
          for (int i = 0; i < r.length; i++) {
            ps.setObject(i + 1, r[i]);
          }
          ps.addBatch();
        }
        ps.executeBatch();
      }
      c.commit();
    } catch (SQLException e) {
      throw new DbJobsException(
          ErrorCode.RESTORE_FAILED,
          "the restore succeeded but putting this node's job history back failed: "
              + SqlErrors.message(e),
          e);
    }
  }
}
