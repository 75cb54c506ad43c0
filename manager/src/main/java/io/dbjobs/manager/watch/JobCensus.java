package io.dbjobs.manager.watch;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.db.SqlErrors;
import io.dbjobs.common.job.JobState;
import io.dbjobs.common.jobs.JobsTable;
import io.dbjobs.common.jobs.ManagerJobs;
import io.dbjobs.manager.metrics.DaemonMetrics.TaskState;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import javax.sql.DataSource;

/**
 * Counts a node's jobs by task and state: one read-only query on the {@code (task, state)} index,
 * which {@link ManagerJobs} has no verb for. It never writes.
 */
final class JobCensus {
  private JobCensus() {}

  static Map<TaskState, Long> count(DataSource ds, String where) {
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT task, state, COUNT(*) FROM " + JobsTable.NAME + " GROUP BY task, state")) {
      Map<TaskState, Long> out = new HashMap<>();
      while (rs.next()) {
        out.put(
            new TaskState(rs.getString(1), JobState.fromCode(rs.getInt(2)).label()), rs.getLong(3));
      }
      return out;
    } catch (SQLException e) {
      throw new DbJobsException(
          SqlErrors.classify(e),
          "cannot count the jobs on " + where + ": " + SqlErrors.message(e),
          e);
    }
  }
}
