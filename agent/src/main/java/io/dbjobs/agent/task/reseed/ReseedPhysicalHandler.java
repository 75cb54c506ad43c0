package io.dbjobs.agent.task.reseed;

import io.dbjobs.agent.task.JobContext;
import io.dbjobs.agent.task.TaskHandler;
import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.backup.BackupPosition;
import io.dbjobs.common.job.JobOutcome;
import io.dbjobs.common.job.Task;
import io.dbjobs.common.job.params.ReseedParams;
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
 * catalog or straight from a donor's mariadb-backup), without losing the data it had, whatever
 * happens and whenever the agent dies (see {@code docs/crash-safety.md}):
 *
 * <ol>
 *   <li>start the swap's journal ({@link DatadirSwap#stage}), then receive the one stream on the
 *       agent's stream port into a staging folder ({@code mbstream -x}), the old server still
 *       serving;
 *   <li>prepare it ({@code mariadb-backup --prepare}), read its position, take the donor's
 *       replication settings out of it ({@link DonorReplicationFiles}), give it the datadir's
 *       owner, save this node's job history ({@link JobsHistory});
 *   <li>stop the server, move the old datadir entries aside and the new ones in, start the server,
 *       check its tables open, put the job history back ({@link PhysicalSwap#swapIn}); if any of
 *       that fails, put the old entries back and start them (ROLLED_BACK);
 *   <li>point it at the primary from the backup's GTID, wait until it replicates and has caught up;
 *       only then delete the old data (or keep it, per {@code reseed.keepOldDatadir}).
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
    return run(ctx, CrashPoints.fromSystemProperty());
  }

  JobOutcome run(JobContext ctx, CrashPoints crash) throws Exception {
    long t0 = System.nanoTime();
    ReseedParams params = JoinerParams.of(ctx);
    Long expected = params.expectedBytes();
    String source = params.source() != null ? params.source() : "a physical backup";
    String primaryParam = params.primary();
    Repositioning.source(ctx, primaryParam); // refuses a missing replication password now
    boolean keepOld = keepOld(ctx);
    NodeData node = NodeData.locate(ctx, expected);
    boolean serverUp = ctx.probe().answers();
    String logError = serverUp ? serverVariable(ctx, "log_error") : null;
    DonorReplicationFiles.JoinerNames joinerNames = DonorReplicationFiles.JoinerNames.NONE;
    List<ChannelSettings> channels = List.of();
    if (serverUp) {
      try (Connection c = ctx.database().getConnection()) {
        joinerNames = DonorReplicationFiles.JoinerNames.read(c);
      }
      channels = ChannelSettings.read(ctx.database());
      Repositioning.channelSources(ctx, channels); // refuses a connection without a password now
    } else {
      LOG.warn(
          "job {}: the server does not answer, so its named replication connections cannot be"
              + " recorded; only the default one is set up after the reseed",
          ctx.job().id());
    }
    boolean flashback = ctx.job().knownTask().map(t -> t == Task.FLASHBACK).orElse(false);
    Long ownServerId = flashback ? Repositioning.serverId(ctx) : null;
    Path journalDir = ctx.config().workDir().resolve("reseed");
    long id = ctx.job().id();
    SwapPlan plan =
        new SwapPlan(
            id,
            ctx.owner(),
            ctx.job().task(),
            node.datadir.toString(),
            node.newData.toString(),
            node.oldData.toString(),
            DatadirSwap.historyFile(journalDir, id).toString(),
            primaryParam,
            keepOld,
            ownServerId,
            source,
            channels);
    DatadirSwap swap = DatadirSwap.stage(plan, DatadirSwap.journalFile(journalDir, id), crash);

    // 1. receive and prepare, the old server still serving
    ReceiveResult received;
    BackupPosition position;
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
      crash.reach(CrashPoint.STAGE_RECEIVED);
      prepare(ctx, node.newData);
      position = positionOf(node.newData).or(BackupPosition.fromMeta(received.metadata()));
      String restartAt;
      if (byBinlog(ctx)) {
        BackupPosition start = Repositioning.binlogStart(ctx, position);
        Repositioning.checkPrimaryHasBinlog(ctx, Repositioning.source(ctx, primaryParam), start);
        restartAt = Repositioning.binlogNote(start);
      } else if (position.gtid() == null) {
        throw new DbJobsException(
            ErrorCode.RESTORE_FAILED,
            "the backup carries no GTID position (xtrabackup_binlog_info); a replica cannot be"
                + " positioned from it by GTID (--position binlog uses its file:position when it"
                + " was taken from the primary)");
      } else {
        restartAt = position.gtid();
      }
      if (!Files.isDirectory(node.newData.resolve("mysql"))) {
        throw new DbJobsException(
            ErrorCode.RESTORE_FAILED,
            "the prepared backup has no mysql schema: not a whole server's backup");
      }
      swap.mark(DatadirSwap.PREPARED, restartAt, CrashPoint.STAGE_PREPARED);

      // 2. the new data must not replicate from the donor's settings, and must be the server's
      List<String> neutralised =
          DonorReplicationFiles.neutralise(
              flavorOf(node.newData), node.newData, node.datadir, joinerNames);
      if (!neutralised.isEmpty()) {
        LOG.info(
            "job {}: donor's replication state taken out of the new data: {}", id, neutralised);
      }
      matchOwner(ctx, node);
      // the lease is stretched first, so the saved row (which comes back after the swap) carries
      // the long lease too
      ctx.extendLease(ctx.config().service().timeout().multipliedBy(2).plusMinutes(10));
      if (serverUp) {
        // it served when the job began: it must still serve, or its job history (this job's row
        // included) would not come back after the swap
        if (!ctx.probe().answers()) {
          throw new DbJobsException(
              ErrorCode.SERVER_NOT_ANSWERING,
              "the server stopped answering while the new data was received or prepared (it"
                  + " answered when the reseed began): nothing was swapped, the staged data is"
                  + " removed and the server is left as it is (the agent starts only a server it"
                  + " stopped); start it and reseed again");
        }
        JobsHistory.read(ctx.database()).save(plan.historyPath());
      } else if (ctx.probe().answers()) {
        JobsHistory.read(ctx.database()).save(plan.historyPath());
      }
    } catch (RuntimeException | InterruptedException | IOException e) {
      swap.abandon();
      throw e;
    }

    // 3. swap, with the old data put back if the new one does not serve
    PhysicalSwap physical =
        new PhysicalSwap(
            swap,
            new ServiceServer(ctx, node.datadir, logError),
            new ReplicationRejoin(ctx, ownServerId, channels),
            crash);
    ctx.critical(
        "swapping the datadir",
        () -> {
          physical.swapIn();
          return null;
        });
    ctx.extendLease(Duration.ZERO);

    // 4. reposition, catch up, and only then delete the old data
    String done = physical.finish();
    return JobOutcome.succeeded(
            "reseeded from "
                + source
                + " ("
                + Sizes.human(received.bytes())
                + " at "
                + position
                + ") in "
                + Durations.human(Duration.ofNanos(System.nanoTime() - t0))
                + "; "
                + done)
        .withStream(received.sha256Hex(), received.bytes());
  }

  /** MySQL 8's datadir has its data dictionary in {@code mysql.ibd}; MariaDB's has none. */
  static DonorReplicationFiles.Flavor flavorOf(Path data) {
    return Files.exists(data.resolve("mysql.ibd"))
        ? DonorReplicationFiles.Flavor.MYSQL
        : DonorReplicationFiles.Flavor.MARIADB;
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
        DbJobsException e = ProcessSink.failure(t, r, "preparing the backup");
        throw new DbJobsException(
            e.code() == ErrorCode.DISK_FULL ? ErrorCode.DISK_FULL : ErrorCode.RESTORE_FAILED,
            e.getMessage());
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

  /** The job asks to position by binary log file:position ({@code position=binlog}). */
  static boolean byBinlog(JobContext ctx) {
    return "binlog".equals(JoinerParams.of(ctx).position());
  }

  static boolean keepOld(JobContext ctx) {
    Boolean p = JoinerParams.of(ctx).keepOldDatadir();
    return p != null ? p : ctx.config().reseed().keepOldDatadir();
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
      DurableFiles.deleteTree(dir);
    } catch (IOException e) {
      LOG.warn("could not remove {}: {}", dir, e.toString());
    }
  }
}
