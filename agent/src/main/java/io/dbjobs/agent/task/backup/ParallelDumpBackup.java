package io.dbjobs.agent.task.backup;

import io.dbjobs.agent.task.JobContext;
import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.backup.BackupType;
import io.dbjobs.common.backup.ServerFlavor;
import io.dbjobs.common.backup.StreamMeta;
import io.dbjobs.common.job.JobOutcome;
import io.dbjobs.common.job.params.BackupLogicalParams;
import io.dbjobs.common.logical.DumpManifest;
import io.dbjobs.common.logical.DumpOptions;
import io.dbjobs.common.logical.LogicalDump;
import io.dbjobs.common.logical.PartFormat;
import io.dbjobs.common.logical.PartWriter;
import io.dbjobs.common.logical.SourceDb;
import io.dbjobs.common.stream.SendResult;
import io.dbjobs.common.time.Durations;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

/**
 * {@code backup-logical} with {@code format=parts} (the default): a parallel consistent dump of
 * this node ({@link LogicalDump}: {@code threads} sessions in one snapshot taken under {@code
 * BACKUP STAGE BLOCK_COMMIT} within {@code lock-timeout}), sent as it is taken, each table or chunk
 * a separately compressed part of the job's one stream. Nothing is staged on this node. The trailer
 * carries the dump's position; the job's result its snapshot lock times and warnings.
 */
final class ParallelDumpBackup {
  static final String TOOL = "dbjobs parallel dump";

  private ParallelDumpBackup() {}

  /** True when the job asks for a parallel dump. */
  static boolean wanted(BackupLogicalParams params) {
    return !"sql".equals(params.format());
  }

  static JobOutcome run(JobContext ctx, BackupLogicalParams params) throws InterruptedException {
    OutgoingStream stream = OutgoingStream.forJob(ctx, params);
    stream.phase("preparing");
    ServerFacts server = ServerFacts.read(ctx.database());
    if (server.flavor() != ServerFlavor.MARIADB) {
      throw new DbJobsException(
          ErrorCode.BAD_PARAMETER,
          "task backup-logical: format=parts needs MariaDB 10.4 or later; this node runs "
              + server.version()
              + ": use format=sql");
    }
    DumpOptions options = options(params);
    String node = ctx.config().node();
    Instant started = Instant.now();
    PartWriter out = new PartWriter(1);
    try (LogicalDump dump =
            LogicalDump.start(
                SourceDb.of(ctx.config().database(), ctx.config().connectTimeout()),
                node,
                options,
                out,
                stream::phase);
        var onStop = ctx.onStop(dump::close)) {
      SendResult sent =
          stream.send(
              out.stream(),
              null,
              () -> {
                DumpManifest m = dump.await();
                ctx.checkStopping();
                stream.phase("waiting for the receiver to confirm");
                return TrailerMeta.from(node, server)
                    .put(StreamMeta.KIND, "backup")
                    .put(StreamMeta.TYPE, BackupType.LOGICAL.wireName())
                    .put(StreamMeta.FORMAT, PartFormat.NAME)
                    .put(StreamMeta.CONTENT_COMPRESSION, "zstd")
                    .put(StreamMeta.TOOL, TOOL)
                    .put(StreamMeta.TOOL_VERSION, "part format " + PartFormat.VERSION)
                    .position(m.position())
                    .times(started, Instant.now())
                    .build();
              });
      DumpManifest m = dump.await();
      String what =
          "parallel logical backup of "
              + node
              + " ("
              + m.tables().size()
              + " tables, "
              + m.rows()
              + " rows, "
              + m.parts()
              + " parts, "
              + options.threads()
              + " sessions)";
      String detail =
          ", at "
              + m.position()
              + "; snapshot lock ("
              + m.lockMethod()
              + ") waited "
              + Durations.human(java.time.Duration.ofMillis(m.lockWaitMillis()))
              + " and held "
              + Durations.human(java.time.Duration.ofMillis(m.lockHeldMillis()))
              + (m.warnings().isEmpty() ? "" : "; warnings: " + String.join("; ", m.warnings()));
      return JobOutcome.succeeded(stream.describe(what, sent, detail))
          .withStream(sent.sha256Hex(), sent.bytes());
    }
  }

  static DumpOptions options(BackupLogicalParams params) {
    DumpOptions o =
        DumpOptions.defaults(
                params.threads() == null ? DumpOptions.defaultThreads() : params.threads())
            .withLockTimeout(params.lockTimeout())
            .withChunkBytes((long) params.chunkMib() << 20)
            .withNonTransactional(DumpOptions.NonTransactional.parse(params.nonTransactional()));
    String databases = params.databases();
    if (databases != null && !databases.isBlank()) {
      List<String> names =
          Arrays.stream(databases.split(",")).map(String::strip).filter(n -> !n.isEmpty()).toList();
      o = o.withSchemas(names);
    }
    return o;
  }
}
