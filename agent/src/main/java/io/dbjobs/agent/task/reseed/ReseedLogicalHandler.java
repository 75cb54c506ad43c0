package io.dbjobs.agent.task.reseed;

import io.dbjobs.agent.task.JobContext;
import io.dbjobs.agent.task.TaskHandler;
import io.dbjobs.agent.task.reseed.load.ParallelLoadSink;
import io.dbjobs.agent.task.reseed.load.PartsLoadSink;
import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.backup.BackupPosition;
import io.dbjobs.common.job.JobOutcome;
import io.dbjobs.common.job.Task;
import io.dbjobs.common.job.params.ReseedParams;
import io.dbjobs.common.logical.SourceDb;
import io.dbjobs.common.stream.ReceiveResult;
import io.dbjobs.common.stream.StreamSink;
import io.dbjobs.common.time.Durations;
import io.dbjobs.common.tool.DefaultsFile;
import io.dbjobs.common.tool.ToolCommand;
import io.dbjobs.common.units.Sizes;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code reseed-logical}: rebuilds this node from a logical dump stream (from the manager's
 * catalog, or a dump of the primary piped through the manager), keeping its old schemas aside until
 * the load succeeded:
 *
 * <ol>
 *   <li>when the one authenticated stream connects, set every user schema aside ({@link
 *       KeptAside});
 *   <li>decompress (zstd or gzip, by the first bytes) and replay it with the {@code mariadb}
 *       client, binary logging off: rows through {@code reseed.loadSessions} sessions at once
 *       ({@link ParallelLoadSink}), or one client when that is 1; the position is read from the
 *       dump as it passes;
 *   <li>on any failure (stream, load, incomplete dump) drop what was loaded and put the old schemas
 *       back;
 *   <li>reposition from the dump's GTID, wait for the catch-up, then drop the old schemas (or keep
 *       them).
 * </ol>
 */
public class ReseedLogicalHandler implements TaskHandler {
  @Override
  public Task task() {
    return Task.RESEED_LOGICAL;
  }

  @Override
  public JobOutcome run(JobContext ctx) throws Exception {
    return run(ctx, CrashPoints.fromSystemProperty());
  }

  JobOutcome run(JobContext ctx, CrashPoints crash) throws Exception {
    long t0 = System.nanoTime();
    ReseedParams params = JoinerParams.of(ctx);
    Long expected = params.expectedBytes();
    String source = params.source() != null ? params.source() : "a logical dump";
    String primaryParam = params.primary();
    Repositioning.source(ctx, primaryParam); // refuses a missing replication password now
    boolean keepOld = ReseedPhysicalHandler.keepOld(ctx);
    if (!ctx.probe().answers()) {
      throw new DbJobsException(
          ErrorCode.PREFLIGHT_REFUSED,
          "a logical reseed loads into the running server, and this node's server does not answer;"
              + " start it, or use a physical method");
    }
    boolean flashback = ctx.job().knownTask().map(t -> t == Task.FLASHBACK).orElse(false);
    Long ownServerId = flashback ? Repositioning.serverId(ctx) : null;
    List<ChannelSettings> channels = ChannelSettings.read(ctx.database());
    Repositioning.channelSources(ctx, channels); // refuses a connection without a password now
    KeptAside.AsidePlan planned =
        new KeptAside.AsidePlan(
            ctx.job().id(),
            ctx.owner(),
            ctx.job().task(),
            primaryParam,
            keepOld,
            ownServerId,
            List.of(),
            channels);
    Path journal = KeptAside.journalFile(ctx.config().workDir().resolve("reseed"), ctx.job().id());
    AtomicReference<KeptAside> kept = new AtomicReference<>();
    AtomicReference<LogicalLoadSink> load = new AtomicReference<>();
    AtomicReference<PartsLoadSink> parts = new AtomicReference<>();
    ReceiveResult received;
    try (DefaultsFile cnf = DefaultsFile.write(ctx.workDir(), ctx.config().database())) {
      received =
          JoinerStream.receive(
              ctx,
              hello -> {
                KeptAside aside = KeptAside.setAside(ctx.database(), journal, planned, crash);
                kept.set(aside);
                ctx.phase(
                    "loading (old schemas set aside: " + String.join(", ", aside.schemas()) + ")");
                return new SniffingSink(
                    () -> {
                      PartsLoadSink p =
                          PartsLoadSink.start(
                              partsSettings(ctx), aside::putBackAfterFailedLoad, ctx::phase);
                      parts.set(p);
                      return new CrashPointSink(p, crash);
                    },
                    () -> {
                      LogicalLoadSink sink =
                          new LogicalLoadSink(
                              new CrashPointSink(sqlClient(ctx, cnf, aside), crash));
                      load.set(sink);
                      return new DecompressingSink(sink);
                    },
                    aside::putBackAfterFailedLoad);
              },
              expected,
              JoinerStream.options(ctx));
    } catch (RuntimeException | InterruptedException e) {
      // the sink puts the schemas back when the load fails; this covers a failure around it
      if (kept.get() != null) {
        kept.get().putBack("the stream or the load failed: " + DbJobsException.describe(e));
      }
      throw e;
    }

    if (load.get() != null) {
      try {
        ReplicaEvents.disableOnReplica(ctx.database());
      } catch (DbJobsException e) {
        kept.get().putBack("disabling the loaded events on this replica failed: " + e.getMessage());
        throw e;
      }
    }
    BackupPosition position =
        (parts.get() != null ? parts.get().position() : load.get().scanner().position())
            .or(BackupPosition.fromMeta(received.metadata()));
    String restartAt;
    if (ReseedPhysicalHandler.byBinlog(ctx)) {
      BackupPosition start;
      try {
        start = Repositioning.binlogStart(ctx, position);
        Repositioning.checkPrimaryHasBinlog(ctx, Repositioning.source(ctx, primaryParam), start);
      } catch (DbJobsException e) {
        kept.get().putBack(e.getMessage());
        throw new DbJobsException(e.code(), e.getMessage() + "; the old schemas were put back", e);
      }
      restartAt = Repositioning.binlogNote(start);
    } else if (position.gtid() == null) {
      kept.get().putBack("the dump carries no GTID position");
      throw new DbJobsException(
          ErrorCode.RESTORE_FAILED,
          "the dump carries no GTID position (take it with --master-data=2 --gtid, or use"
              + " --position binlog for a dump of the primary); the old schemas were put back");
    } else {
      restartAt = position.gtid();
    }
    kept.get().loaded(restartAt);
    String done = kept.get().finish(new ReplicationRejoin(ctx, ownServerId, channels));
    return JobOutcome.succeeded(
            "reseeded from "
                + source
                + " ("
                + Sizes.human(received.bytes())
                + " received, at "
                + position
                + ", "
                + received.sinkMessage()
                + ") in "
                + Durations.human(Duration.ofNanos(System.nanoTime() - t0))
                + "; "
                + done)
        .withStream(received.sha256Hex(), received.bytes());
  }

  /** A parallel dump: staged under the agent's workDir, loaded by reseed.loadThreads sessions. */
  private static PartsLoadSink.Settings partsSettings(JobContext ctx) {
    return new PartsLoadSink.Settings(
        SourceDb.forLoading(ctx.config().database(), ctx.config().connectTimeout()),
        ctx.config().reseed().loadThreads(),
        ctx.config().workDir().resolve("logical-staging"),
        ctx.config().stream().idleTimeout().multipliedBy(10));
  }

  /**
   * A plain SQL dump: the mariadb client, or reseed.loadSessions sessions of it when that is more
   * than 1.
   */
  private static StreamSink sqlClient(JobContext ctx, DefaultsFile cnf, KeptAside aside)
      throws java.io.IOException {
    int sessions = ctx.config().reseed().loadSessions();
    return sessions > 1
        ? ParallelLoadSink.start(
            ctx, cnf, sessions, aside::putBackAfterFailedLoad, Duration.ofHours(6))
        : ProcessSink.start(
            ctx,
            ToolCommand.of(
                    "mariadb",
                    List.of(
                        ctx.config().tools().mariadb().toString(),
                        cnf.defaultsFileOption(),
                        "--batch",
                        "--skip-reconnect",
                        "--max-allowed-packet=1G",
                        "--init-command=SET SESSION sql_log_bin=0"))
                .stdin(ToolCommand.Input.PIPE)
                .build(),
            aside::putBackAfterFailedLoad,
            Duration.ofHours(6),
            "loading the dump");
  }
}
