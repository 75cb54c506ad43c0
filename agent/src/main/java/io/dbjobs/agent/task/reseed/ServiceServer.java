package io.dbjobs.agent.task.reseed;

import io.dbjobs.agent.task.JobContext;
import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.db.SqlErrors;
import java.nio.file.Path;

/**
 * The node's server as a swap drives it: the agent's service commands to stop and start it, its own
 * queries to check the data serves, and this node's job history put back into it.
 */
final class ServiceServer implements PhysicalSwap.Server {
  private final JobContext ctx;
  private final Path datadir;
  private final String logError;

  /**
   * @param logError the server's {@code @@log_error} read before it stopped, for messages (null:
   *     unknown)
   */
  ServiceServer(JobContext ctx, Path datadir, String logError) {
    this.ctx = ctx;
    this.datadir = datadir;
    this.logError = logError;
  }

  @Override
  public boolean answers() {
    return ctx.probe().answers();
  }

  @Override
  public void stop() throws InterruptedException {
    ctx.phase("stopping the server");
    NodeData.stopServer(ctx);
  }

  @Override
  public void start() throws InterruptedException {
    ctx.phase("starting the server");
    try {
      NodeData.startServer(ctx);
    } catch (DbJobsException e) {
      throw withContext(e);
    }
  }

  @Override
  public void verify() {
    ctx.phase("checking the tables open");
    try {
      NodeData.verifyTablesOpen(ctx);
    } catch (DbJobsException e) {
      throw withContext(e);
    }
  }

  @Override
  public void restoreHistory(Path historyFile) {
    ctx.phase("restoring the node's job history");
    JobsHistory.load(historyFile).restore(ctx.database(), ctx.config().node());
  }

  private DbJobsException withContext(DbJobsException e) {
    String why = e.getMessage() + NodeData.errorLogTail(datadir, logError);
    if (SqlErrors.isAccessDenied(e)) {
      why +=
          "; the restored data does not let the agent's user "
              + ctx.config().database().user()
              + " in: the donor must have the same dbjobs users and passwords (create them on the"
              + " primary so they replicate, see sql/grants.sql)";
    }
    return new DbJobsException(e.code(), why, e);
  }
}
