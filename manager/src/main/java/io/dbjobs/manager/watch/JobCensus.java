package io.dbjobs.manager.watch;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.db.SqlErrors;
import io.dbjobs.common.job.JobState;
import io.dbjobs.common.job.Task;
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
 * which {@link ManagerJobs} has no verb for. It never writes. Anyone may write rows into the table:
 * a task name dbjobs does not know is counted as {@code other} (each would be a metric series of
 * its own), and a row in a state dbjobs never writes is not counted.
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
        int state = rs.getInt(2);
        if (!JobState.isCode(state)) {
          continue; // not a job: someone else wrote the row (TableAccess tells which)
        }
        out.merge(
            new TaskState(task(rs.getString(1)), JobState.fromCode(state).label()),
            rs.getLong(3),
            Long::sum);
      }
      return out;
    } catch (SQLException e) {
      throw new DbJobsException(
          SqlErrors.classify(e),
          "cannot count the jobs on " + where + ": " + SqlErrors.message(e),
          e);
    }
  }

  /** The task's name as a metric label: a known task, else {@code other}. */
  private static String task(String name) {
    return Task.byName(name).map(Task::wireName).orElse("other");
  }
}
