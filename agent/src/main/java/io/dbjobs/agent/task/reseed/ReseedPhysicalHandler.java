package io.dbjobs.agent.task.reseed;

import io.dbjobs.agent.task.JobContext;
import io.dbjobs.agent.task.TaskHandler;
import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.backup.BackupPosition;
import io.dbjobs.common.job.JobOutcome;
import io.dbjobs.common.job.Task;
import io.dbjobs.common.job.TaskStreamParams;
import io.dbjobs.common.stream.ReceiveResult;
import io.dbjobs.common.time.Durations;
import io.dbjobs.common.tool.RunningTool;
import io.dbjobs.common.tool.ToolCommand;
import io.dbjobs.common.tool.ToolResult;
import io.dbjobs.common.units.Sizes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code reseed-physical}: rebuilds this node from a physical backup stream (from the manager's
 * catalog or straight from a donor's mariadb-backup), without losing the data it had if anything
 * goes wrong:
 *
 * <ol>
 *   <li>receive the one stream on the agent's stream port into a staging folder ({@code mbstream
 *       -x}), the old server still serving;
 *   <li>prepare it ({@code mariadb-backup --prepare}) and read its position;
 *   <li>stop the server, move the old datadir contents aside, move the new ones in, start the
 *       server, check its tables open; if any of that fails, put the old data back and start it;
 *   <li>put this node's own job history back, point it at the primary from the backup's GTID, wait
 *       until it replicates and has caught up;
 *   <li>only then delete the old data (or keep it, per {@code reseed.keepOldDatadir}).
 * </ol>
 */
public class ReseedPhysicalHandler implements TaskHandler {
  private static final Logger LOG = LoggerFactory.getLogger(ReseedPhysicalHandler.class);

  @Override
  public Task task() {
    return Task.RESEED_PHYSICAL;
  }

  @Override
  public JobOutcome run(JobContext ctx) throws Exception {
    long t0 = System.nanoTime();
    Long expected = JoinerStream.expectedBytes(ctx);
    String source = ctx.params().getOrDefault(TaskStreamParams.SOURCE, "a physical backup");
    Replication.Source primary = Repositioning.source(ctx, ctx.param(TaskStreamParams.PRIMARY));
    boolean keepOld = keepOld(ctx);
    NodeData node = NodeData.locate(ctx, expected);
    String logError = serverVariable(ctx, "log_error");
    DatadirSwap.deleteTree(node.newData);
    Files.createDirectories(node.newData);

    // 1. receive, the old server still serving
    ReceiveResult received;
    try {
      received =
          JoinerStream.receive(
              ctx,
              hello ->
                  ProcessSink.start(
                      ctx,
                      ToolCommand.of(
                              "mbstream",
                              List.of(
                                  ctx.config().tools().mbstream().toString(),
                                  "-x",
                                  "-C",
                                  node.newData.toString()))
                          .stdin(ToolCommand.Input.PIPE)
                          .build(),
                      () -> deleteQuietly(node.newData),
                      Duration.ofMinutes(30),
                      "extracting into " + node.newData),
              expected,
              JoinerStream.options(ctx));
    } catch (RuntimeException | InterruptedException e) {
      deleteQuietly(node.newData);
      throw e;
    }

    // 2. prepare, and read the position from the backup itself
    BackupPosition position;
    try {
      prepare(ctx, node.newData);
      position = positionOf(node.newData).or(BackupPosition.fromMeta(received.metadata()));
      if (position.gtid() == null) {
        throw new DbJobsException(
            ErrorCode.RESTORE_FAILED,
            "the backup carries no GTID position (xtrabackup_binlog_info); a replica cannot be positioned from it");
      }
      if (!Files.isDirectory(node.newData.resolve("mysql"))) {
        throw new DbJobsException(
            ErrorCode.RESTORE_FAILED,
            "the prepared backup has no mysql schema: not a whole server's backup");
      }
    } catch (RuntimeException | InterruptedException e) {
      deleteQuietly(node.newData);
      throw e;
    }

    // 3. swap, with the old data put back if the new one does not serve; the lease is stretched
    // first, so the saved row (which comes back after the swap) carries the long lease too
    ctx.extendLease(ctx.config().service().timeout().multipliedBy(2).plusMinutes(10));
    JobsHistory history = ctx.probe().answers() ? JobsHistory.save(ctx.database()) : null;
    DatadirSwap swap =
        new DatadirSwap(
            node.datadir,
            node.newData,
            node.oldData,
            DatadirSwap.journalFile(ctx.config().workDir().resolve("reseed"), ctx.job().id()),
            ctx.job().id(),
            ctx.owner());
    ctx.critical("swapping the datadir", () -> swapIn(ctx, node, swap, logError));

    // 4. this node's history (until it is back, this job's row is not in the table), replication,
    // catch-up
    if (history != null) {
      ctx.critical(
          "restoring the node's job history",
          () -> {
            history.restore(ctx.database(), ctx.config().node());
            return null;
          });
    }
    ctx.extendLease(Duration.ZERO);
    Repositioning.CaughtUp caught =
        Repositioning.repositionAndCatchUp(ctx, primary, position.gtid());

    // 5. the new data serves and replicates: the old data can go
    ctx.phase("cleaning up");
    swap.commit(keepOld);
    return JobOutcome.succeeded(
            "reseeded from "
                + source
                + " ("
                + Sizes.human(received.bytes())
                + " at "
                + position
                + ") in "
                + Durations.human(Duration.ofNanos(System.nanoTime() - t0))
                + "; replicating from "
                + primary.host()
                + ":"
                + primary.port()
                + ", caught up with "
                + caught.primaryPosition()
                + " in "
                + Durations.human(caught.took())
                + (keepOld
                    ? "; the old data is kept in " + node.oldData
                    : "; the old data was deleted"))
        .withStream(received.sha256Hex(), received.bytes());
  }

  /**
   * Stops the server, swaps, starts and verifies; on failure rolls back and restarts the old data.
   */
  static Void swapIn(JobContext ctx, NodeData node, DatadirSwap swap, String logError)
      throws Exception {
    ctx.phase("stopping the server");
    NodeData.stopServer(ctx);
    ctx.phase("swapping the datadir");
    matchOwner(ctx, node);
    swap.swapIn();
    try {
      ctx.phase("starting the server on the new data");
      NodeData.startServer(ctx);
      NodeData.verifyTablesOpen(ctx);
      return null;
    } catch (DbJobsException | InterruptedException e) {
      String why = DbJobsException.describe(e) + NodeData.errorLogTail(node.datadir, logError);
      if (io.dbjobs.common.db.SqlErrors.isAccessDenied(e)) {
        why +=
            "; the restored data does not let the agent's user "
                + ctx.config().database().user()
                + " in: the donor must have the same dbjobs users and passwords (create them on the"
                + " primary so they replicate, see sql/grants.sql)";
      }
      LOG.error(
          "job {}: the new data does not serve ({}); putting the old data back",
          ctx.job().id(),
          why);
      ctx.phase("rolling back to the old data");
      try {
        NodeData.stopServer(ctx);
        swap.rollBack();
        NodeData.startServer(ctx);
      } catch (RuntimeException | InterruptedException r) {
        throw new DbJobsException(
            ErrorCode.RESTORE_FAILED,
            "the new data did not serve ("
                + why
                + ") and restarting the old data failed: "
                + DbJobsException.describe(r)
                + "; the old data is in "
                + node.datadir
                + " or "
                + node.oldData,
            r);
      }
      deleteQuietly(node.newData);
      throw new DbJobsException(
          ErrorCode.RESTORE_FAILED,
          "rolled back: the new data did not serve (" + why + "); the old data serves again",
          e);
    }
  }

  /**
   * Gives the new files the datadir's owner and group (mbstream wrote them as the agent's user).
   */
  private static void matchOwner(JobContext ctx, NodeData node) throws InterruptedException {
    try (RunningTool t =
        ctx.start(
            ToolCommand.of(
                    "chown",
                    List.of("chown", "-R", "--reference=" + node.datadir, node.newData.toString()))
                .build())) {
      ToolResult r = t.waitFor(Duration.ofMinutes(30));
      if (!r.ok()) {
        throw t.failure(r, "giving the new data the datadir's owner");
      }
    }
  }

  static void prepare(JobContext ctx, Path dir) throws InterruptedException {
    ctx.phase("preparing the backup");
    try (RunningTool t =
        ctx.start(
            ToolCommand.of(
                    "mariadb-backup",
                    List.of(
                        ctx.config().tools().mariadbBackup().toString(),
                        "--prepare",
                        "--target-dir=" + dir))
                .build())) {
      ToolResult r = t.waitFor(Duration.ofHours(6));
      if (!r.ok() || !t.stderrContains("completed OK!")) {
        throw new DbJobsException(
            ErrorCode.RESTORE_FAILED, t.failure(r, "preparing the backup").getMessage());
      }
    }
  }

  static BackupPosition positionOf(Path dir) throws IOException {
    for (String f : List.of("mariadb_backup_binlog_info", "xtrabackup_binlog_info")) {
      Path p = dir.resolve(f);
      if (Files.exists(p)) {
        return BackupPosition.parseBinlogInfo(Files.readString(p));
      }
    }
    return BackupPosition.UNKNOWN;
  }

  static boolean keepOld(JobContext ctx) {
    String p = ctx.param(TaskStreamParams.KEEP_OLD_DATADIR);
    return p != null ? Boolean.parseBoolean(p) : ctx.config().reseed().keepOldDatadir();
  }

  static String serverVariable(JobContext ctx, String name) {
    try (Connection c = ctx.database().getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT @@" + name)) {
      return rs.next() ? rs.getString(1) : null;
    } catch (SQLException e) {
      return null; // the server is down: the value only improves messages
    }
  }

  static void deleteQuietly(Path dir) {
    try {
      DatadirSwap.deleteTree(dir);
    } catch (IOException e) {
      LOG.warn("could not remove {}: {}", dir, e.toString());
    }
  }
}
