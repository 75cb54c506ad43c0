package io.dbjobs.agent.task.logs;

import io.dbjobs.agent.task.JobContext;
import io.dbjobs.agent.task.TaskHandler;
import io.dbjobs.agent.task.backup.OutgoingStream;
import io.dbjobs.agent.task.backup.ServerFacts;
import io.dbjobs.agent.task.backup.TrailerMeta;
import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.backup.StreamMeta;
import io.dbjobs.common.db.SqlErrors;
import io.dbjobs.common.job.JobOutcome;
import io.dbjobs.common.job.Task;
import io.dbjobs.common.job.params.LogParams;
import io.dbjobs.common.stream.SendResult;
import io.dbjobs.common.units.Sizes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code errorlog} and {@code slowquery}: send the server's error log or slow query log to the
 * job's receiver. The file is the one the server's settings name ({@code log_error}, {@code
 * slow_query_log_file}, relative to the datadir).
 *
 * <p>With {@code rotate=true} (the default) nothing is ever lost: the log is renamed to {@code
 * <log>.dbjobs-<job id>}, the server is told to reopen its log ({@code FLUSH NO_WRITE_TO_BINLOG
 * ERROR LOGS} / {@code SLOW LOGS}, which starts a new file; lines written in between went to the
 * renamed file), every pending renamed copy is sent oldest first as one stream, and the copies are
 * deleted only after the receiver's ACK. When the stream fails they stay, and the next job sends
 * them too. With {@code rotate=false} the log is sent as it is when the job starts, and nothing is
 * renamed or deleted.
 *
 * <p>The agent's system user needs read access to the log and, to rotate it, write access to its
 * folder. Two jobs never collect the same log at once on one agent.
 */
public final class LogCollectHandler implements TaskHandler {
  private static final Logger LOG = LoggerFactory.getLogger(LogCollectHandler.class);
  private static final Set<Path> COLLECTING = ConcurrentHashMap.newKeySet();

  private final Task task;
  private final LogKind kind;

  private LogCollectHandler(Task task, LogKind kind) {
    this.task = task;
    this.kind = kind;
  }

  /** The {@code errorlog} task. */
  public static LogCollectHandler errorLog() {
    return new LogCollectHandler(Task.ERRORLOG, LogKind.ERROR);
  }

  /** The {@code slowquery} task. */
  public static LogCollectHandler slowQueryLog() {
    return new LogCollectHandler(Task.SLOWQUERY, LogKind.SLOW);
  }

  @Override
  public Task task() {
    return task;
  }

  @Override
  public JobOutcome run(JobContext ctx) throws IOException {
    LogParams params = ctx.params(LogParams.class);
    OutgoingStream stream = OutgoingStream.forJob(ctx, params);
    boolean rotate = params.rotate();
    stream.phase("locating the " + kind.label());
    ServerFacts server = ServerFacts.read(ctx.database());
    ServerLogFile log;
    try (Connection c = ctx.database().getConnection()) {
      log = ServerLogFile.locate(c, kind);
    } catch (SQLException e) {
      throw new DbJobsException(
          SqlErrors.classify(e),
          "cannot ask the server where its " + kind.label() + " is: " + SqlErrors.message(e),
          e);
    }
    if (!COLLECTING.add(log.file())) {
      throw new DbJobsException(
          ErrorCode.PREFLIGHT_REFUSED,
          "another job of this agent is collecting " + log.file() + " right now; try again later");
    }
    try {
      return rotate ? sendRotated(ctx, stream, server, log) : sendCopy(ctx, stream, server, log);
    } finally {
      COLLECTING.remove(log.file());
    }
  }

  /** rotate=false: the log as it is now, untouched. */
  private JobOutcome sendCopy(
      JobContext ctx, OutgoingStream stream, ServerFacts server, ServerLogFile log)
      throws IOException {
    Path file = log.file();
    if (!Files.exists(file)) {
      throw missing(log);
    }
    long size = size(file);
    Instant started = Instant.now();
    stream.phase("sending the " + kind.label() + " " + file);
    SendResult sent;
    try (ConcatenatedFiles in =
        new ConcatenatedFiles(List.of(new ConcatenatedFiles.Part(file, size)))) {
      sent = stream.send(in, size, () -> meta(ctx, server, log, started));
    }
    int pending = new PendingLogs(file).list().size();
    String detail =
        " (a copy; not rotated"
            + (pending > 0 ? "; " + pending + " rotated copies still wait to be sent" : "")
            + ")";
    return JobOutcome.succeeded(stream.describe(what(ctx, file), sent, detail))
        .withStream(sent.sha256Hex(), sent.bytes());
  }

  /** rotate=true: rename, reopen, send every pending copy, delete them after the ACK. */
  private JobOutcome sendRotated(
      JobContext ctx, OutgoingStream stream, ServerFacts server, ServerLogFile log)
      throws IOException {
    Path file = log.file();
    PendingLogs pending = new PendingLogs(file);
    stream.phase("rotating the " + kind.label() + " " + file);
    boolean rotated = false;
    if (Files.exists(file) && size(file) > 0) {
      Path copy = pending.rotate(ctx.job().id());
      reopen(ctx, pending, copy);
      rotated = true;
    }
    List<Path> files = pending.list();
    if (files.isEmpty() && !Files.exists(file)) {
      throw missing(log);
    }
    long total = 0;
    List<ConcatenatedFiles.Part> parts = new ArrayList<>();
    for (Path f : files) {
      total += size(f);
      parts.add(new ConcatenatedFiles.Part(f, -1));
    }
    Instant started = Instant.now();
    stream.phase(
        "sending "
            + files.size()
            + " rotated "
            + kind.label()
            + " files ("
            + Sizes.human(total)
            + ")");
    SendResult sent;
    try (ConcatenatedFiles in = new ConcatenatedFiles(parts)) {
      sent = stream.send(in, total, () -> meta(ctx, server, log, started));
    }
    List<Path> left = pending.delete(files);
    if (!left.isEmpty()) {
      LOG.warn(
          "{} sent copies of {} could not be deleted and will be sent again: {}",
          left.size(),
          file,
          left);
    }
    String detail =
        " ("
            + files.size()
            + (files.size() == 1 ? " file" : " files")
            + (rotated ? ", log rotated" : ", nothing new to rotate")
            + (left.isEmpty()
                ? ", sent copies deleted"
                : "; " + left.size() + " sent copies could not be deleted and will be sent again")
            + ")";
    return JobOutcome.succeeded(stream.describe(what(ctx, file), sent, detail))
        .withStream(sent.sha256Hex(), sent.bytes());
  }

  /** Makes the server reopen its log under the original name; undoes the rename if it cannot. */
  private void reopen(JobContext ctx, PendingLogs pending, Path copy) {
    try (Connection c = ctx.database().getConnection();
        Statement s = c.createStatement()) {
      s.execute(kind.flushStatement());
    } catch (SQLException e) {
      // the server still writes to the renamed file: giving it its name back loses nothing
      try {
        pending.unrotate(copy);
      } catch (DbJobsException u) {
        e.addSuppressed(u);
        LOG.error(
            "{} failed and {} could not be renamed back to {}: {}",
            kind.flushStatement(),
            copy,
            pending.log(),
            u.getMessage());
      }
      throw new DbJobsException(
          SqlErrors.classify(e),
          kind.flushStatement()
              + " failed, so the "
              + kind.label()
              + " was not rotated: "
              + SqlErrors.message(e)
              + (SqlErrors.isAccessDenied(e)
                  ? " (the agent's user needs the RELOAD privilege)"
                  : ""),
          e);
    }
  }

  private java.util.Map<String, String> meta(
      JobContext ctx, ServerFacts server, ServerLogFile log, Instant started) {
    return TrailerMeta.from(ctx.config().node(), server)
        .put(StreamMeta.KIND, "log")
        .put(StreamMeta.FORMAT, "log")
        .put(StreamMeta.CONTENT_COMPRESSION, "none")
        .put(StreamMeta.LOG_KIND, kind.wireName())
        .put(StreamMeta.LOG_FILE, log.file().toString())
        .times(started, Instant.now())
        .build();
  }

  private String what(JobContext ctx, Path file) {
    return kind.label() + " " + file + " of " + ctx.config().node();
  }

  private DbJobsException missing(ServerLogFile log) {
    String hint =
        log.active()
            ? "the server has not created it yet"
            : "slow_query_log is OFF; set slow_query_log=ON (and long_query_time) to write it";
    return new DbJobsException(
        ErrorCode.NOT_FOUND,
        "the " + kind.label() + " " + log.file() + " does not exist (" + hint + ")");
  }

  private static long size(Path f) {
    try {
      return Files.size(f);
    } catch (IOException e) {
      throw PendingLogs.failure("read the size of " + f, e);
    }
  }
}
