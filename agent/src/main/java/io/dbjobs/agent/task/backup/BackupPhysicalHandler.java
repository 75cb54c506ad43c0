package io.dbjobs.agent.task.backup;

import io.dbjobs.agent.task.JobContext;
import io.dbjobs.agent.task.TaskHandler;
import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.backup.BackupRequest;
import io.dbjobs.common.backup.BackupTool;
import io.dbjobs.common.backup.BackupType;
import io.dbjobs.common.backup.StreamMeta;
import io.dbjobs.common.backup.XbstreamScanner;
import io.dbjobs.common.job.JobOutcome;
import io.dbjobs.common.job.Task;
import io.dbjobs.common.job.params.BackupPhysicalParams;
import io.dbjobs.common.stream.SendResult;
import io.dbjobs.common.tool.DefaultsFile;
import io.dbjobs.common.tool.ToolResult;
import java.time.Duration;
import java.time.Instant;

/**
 * {@code backup-physical}: runs mariadb-backup (xtrabackup on MySQL) with {@code --stream=xbstream}
 * and sends its stdout, as it comes, to the job's receiver. The bytes pass through an {@link
 * XbstreamScanner}, which reads the backup's position from the stream itself. The trailer goes out
 * only when the tool exited 0, printed {@code completed OK!} and its stream ended on a chunk
 * boundary; anything else aborts the stream, so the receiver keeps nothing. Progress is bytes sent
 * of the tables' data and index size (an estimate: logs and system files come on top).
 */
public final class BackupPhysicalHandler implements TaskHandler {
  private static final Duration EXIT_WAIT = Duration.ofMinutes(10);

  @Override
  public Task task() {
    return Task.BACKUP_PHYSICAL;
  }

  @Override
  public JobOutcome run(JobContext ctx) throws InterruptedException {
    BackupPhysicalParams params = ctx.params(BackupPhysicalParams.class);
    OutgoingStream stream = OutgoingStream.forJob(ctx, params);
    int parallel = params.parallel();
    stream.phase("preparing");
    ServerFacts server = ServerFacts.read(ctx.database());
    BackupTool tool =
        ctx.config().tools().backupTools().select(server.flavor(), BackupType.PHYSICAL);
    tool.location().check(tool.name());
    String toolVersion = ToolVersions.of(ctx, tool);
    Long estimate = DatadirSize.estimate(ctx.database());
    Instant started = Instant.now();
    try (DefaultsFile defaults = DefaultsFile.write(ctx.workDir(), ctx.config().database());
        ToolOutput<XbstreamScanner> out =
            new ToolOutput<>(
                ctx,
                tool.command(BackupRequest.physical(defaults.path(), ctx.workDir(), parallel)),
                XbstreamScanner::new)) {
      stream.phase("backing up with " + tool.name() + " to " + stream.target().address());
      SendResult sent =
          stream.send(
              out,
              estimate,
              () -> {
                ctx.checkStopping();
                stream.phase("waiting for " + tool.name() + " to finish");
                XbstreamScanner scanner = checkFinished(ctx, tool, out);
                stream.phase("waiting for the receiver to confirm");
                return TrailerMeta.from(ctx.config().node(), server)
                    .put(StreamMeta.KIND, "backup")
                    .put(StreamMeta.TYPE, BackupType.PHYSICAL.wireName())
                    .put(StreamMeta.FORMAT, tool.format())
                    .put(StreamMeta.CONTENT_COMPRESSION, "none")
                    .put(StreamMeta.TOOL, tool.name())
                    .put(StreamMeta.TOOL_VERSION, toolVersion)
                    .position(scanner.position())
                    .times(started, Instant.now())
                    .build();
              });
      String what = "physical backup of " + ctx.config().node() + " by " + tool.name();
      String detail = " at " + out.filtered().position();
      return JobOutcome.succeeded(stream.describe(what, sent, detail))
          .withStream(sent.sha256Hex(), sent.bytes());
    }
  }

  /**
   * Checks the tool finished: exit 0, {@code completed OK!} on stderr, a stream that ended on a
   * chunk boundary.
   *
   * @throws DbJobsException TOOL_FAILED saying which check failed, with the tool's stderr tail
   */
  static XbstreamScanner checkFinished(
      JobContext ctx, BackupTool tool, ToolOutput<XbstreamScanner> out)
      throws InterruptedException {
    ToolResult r = out.awaitExit(EXIT_WAIT);
    ctx.checkStopping();
    if (!r.ok()) {
      throw out.tool().failure(r, tool.name() + " failed");
    }
    XbstreamScanner scanner = out.filtered();
    if (!out.tool().stderrContains(tool.completionMarker().text())) {
      throw out.tool()
          .failure(
              r,
              tool.name()
                  + " exited 0 but never printed "
                  + tool.completionMarker()
                  + ", so its backup is not known to be complete ("
                  + scanner.chunks()
                  + " xbstream chunks, "
                  + out.bytes()
                  + " bytes)");
    }
    if (scanner.chunks() == 0 || !scanner.endedCleanly()) {
      throw new DbJobsException(
          ErrorCode.TOOL_FAILED,
          tool.name()
              + "'s xbstream is short: it ended "
              + (scanner.chunks() == 0 ? "before its first chunk" : "inside a chunk")
              + " after "
              + scanner.chunks()
              + " complete chunks and "
              + out.bytes()
              + " bytes, although the tool reported success; the backup is incomplete");
    }
    return scanner;
  }
}
