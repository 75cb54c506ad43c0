package io.dbjobs.agent.task.reseed.load;

import io.dbjobs.agent.task.JobContext;
import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.stream.StreamSink;
import io.dbjobs.common.tool.DefaultsFile;
import io.dbjobs.common.tool.ToolCommand;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads an uncompressed SQL dump through several {@code mariadb} client sessions at once, with the
 * result of loading it through one:
 *
 * <ul>
 *   <li>rows ({@code INSERT}/{@code REPLACE}) go to the worker sessions in turn; each statement
 *       commits on its own (autocommit), so no worker holds a lock across statements that another
 *       waits for while the dispatcher waits on that one;
 *   <li>session settings ({@code SET}, {@code USE}) go to every session, in order, except that
 *       workers keep {@code unique_checks=1}: with the dump's {@code UNIQUE_CHECKS=0} (and foreign
 *       key checks off) InnoDB turns an insert into an empty table into a bulk insert that locks
 *       the whole table, and concurrent ones deadlock (ER_LOCK_DEADLOCK, or the lock wait timeout
 *       with transactions left open);
 *   <li>everything else (tables, views, routines, triggers, events, keys) runs in order on the main
 *       session, and only once every worker has finished the rows it was given; rows of a table
 *       wait until the main session has created it. So triggers never fire on dumped rows, and
 *       {@code ENABLE KEYS} follows the last row;
 *   <li>{@code LOCK TABLES}/{@code UNLOCK TABLES} are skipped: they would block the other sessions,
 *       and nothing else writes to the tables being loaded;
 *   <li>from the first statement the split cannot follow safely ({@link
 *       StatementKind#UNSPLITTABLE}), the rest of the dump goes to the main session unsplit.
 * </ul>
 *
 * The stream is acknowledged only when every session exited 0. On abort every session is killed and
 * {@code cleanUp} puts the node's old schemas back.
 */
public final class ParallelLoadSink implements StreamSink, DumpSplitter.Handler {
  private static final Logger LOG = LoggerFactory.getLogger(ParallelLoadSink.class);
  private static final byte[] NEWLINE = {'\n'};
  private static final String WHAT = "loading the dump";

  /** After every session setting, on workers: no bulk insert (see the class comment). */
  private static final String KEEP_UNIQUE_CHECKS = "SET SESSION unique_checks=1;\n";

  private final LoadSession main;
  private final List<LoadSession> workers;
  private final List<LoadSession> all;
  private final Runnable cleanUp;
  private final Duration finishTimeout;
  private final DumpSplitter splitter = new DumpSplitter(this);
  private final byte[] copy = new byte[256 * 1024];
  private List<LoadSession> targets = List.of();
  private LoadSession dataTarget;
  private boolean sessionSetting;
  private int nextWorker;
  private long rowStatements;
  private String unsplittable;
  private boolean cleanedUp;

  ParallelLoadSink(
      LoadSession main, List<LoadSession> workers, Runnable cleanUp, Duration finishTimeout) {
    if (workers.isEmpty()) {
      throw new IllegalArgumentException("a parallel load needs at least one worker session");
    }
    this.main = main;
    this.workers = List.copyOf(workers);
    List<LoadSession> a = new ArrayList<>();
    a.add(main);
    a.addAll(workers);
    this.all = List.copyOf(a);
    this.cleanUp = cleanUp;
    this.finishTimeout = finishTimeout;
  }

  /**
   * Starts the main session and {@code workerCount} worker sessions of the {@code mariadb} client
   * as part of the job (a cancel kills them), binary logging off in each.
   *
   * @param cnf the client's login, from a 0600 defaults file
   * @param cleanUp puts the node's old data back after a failed load
   */
  public static ParallelLoadSink start(
      JobContext ctx, DefaultsFile cnf, int workerCount, Runnable cleanUp, Duration finishTimeout) {
    List<LoadSession> started = new ArrayList<>();
    try {
      LoadSession main = LoadSession.of("main", WHAT, ctx.start(client(ctx, cnf)));
      started.add(main);
      List<LoadSession> workers = new ArrayList<>();
      for (int i = 1; i <= workerCount; i++) {
        LoadSession w = LoadSession.of("worker-" + i, WHAT, ctx.start(client(ctx, cnf)));
        started.add(w);
        workers.add(w);
      }
      return new ParallelLoadSink(main, workers, cleanUp, finishTimeout);
    } catch (RuntimeException e) {
      started.forEach(LoadSession::kill);
      throw e;
    }
  }

  private static ToolCommand client(JobContext ctx, DefaultsFile cnf) {
    return ToolCommand.of(
            "mariadb",
            List.of(
                ctx.config().tools().mariadb().toString(),
                cnf.defaultsFileOption(),
                "--batch",
                "--skip-column-names",
                "--skip-reconnect",
                // sync markers must reach us as soon as their query ran, not when stdio's
                // buffer fills
                "--unbuffered",
                "--max-allowed-packet=1G",
                "--init-command=SET SESSION sql_log_bin=0"))
        .stdin(ToolCommand.Input.PIPE)
        .stdout(ToolCommand.Output.PIPE)
        .build();
  }

  /** Sessions in all: the main one and the workers. */
  int sessions() {
    return all.size();
  }

  // ---- StreamSink

  @Override
  public void write(ByteBuffer data) throws IOException, InterruptedException {
    while (data.hasRemaining()) {
      int n = Math.min(copy.length, data.remaining());
      data.get(copy, 0, n);
      splitter.push(copy, 0, n);
    }
  }

  @Override
  public String finish(Map<String, String> meta, long bytes, String sha256Hex)
      throws IOException, InterruptedException {
    splitter.finish();
    syncWorkers();
    for (LoadSession s : all) {
      s.finish(finishTimeout);
    }
    return summary();
  }

  /** What the load did, for the job's result. */
  String summary() {
    return "rows loaded through "
        + workers.size()
        + " parallel sessions ("
        + splitter.statements()
        + " statements, "
        + rowStatements
        + " of them rows)"
        + (unsplittable == null
            ? ""
            : "; from statement '" + unsplittable + "' on in one session (it cannot be split)");
  }

  @Override
  public void abort(String reason) {
    all.forEach(LoadSession::kill);
    if (!cleanedUp) {
      cleanedUp = true;
      try {
        cleanUp.run();
      } catch (RuntimeException e) {
        LOG.error(
            "putting the old schemas back after a failed load ({}) failed: {}",
            reason,
            DbJobsException.describe(e));
      }
    }
  }

  // ---- DumpSplitter.Handler

  @Override
  public boolean begin(StatementKind kind, byte[] head, int length, boolean complete)
      throws IOException, InterruptedException {
    switch (kind) {
      case DATA -> {
        if (main.dirty()) {
          main.requestSync();
          main.awaitSync();
        }
        dataTarget = workers.get(nextWorker);
        nextWorker = (nextWorker + 1) % workers.size();
        targets = List.of(dataTarget);
        rowStatements++;
      }
      case SESSION -> {
        dataTarget = null;
        targets = all;
        sessionSetting = true;
      }
      case LOCK -> {
        dataTarget = null;
        targets = List.of();
      }
      case COMMAND, OTHER -> {
        syncWorkers();
        dataTarget = null;
        targets = List.of(main);
        main.markDirty();
      }
      case UNSPLITTABLE -> {
        syncWorkers();
        unsplittable = preview(head, length);
        LOG.info(
            "the dump's statement '{}' cannot be split safely; the rest loads in the main session",
            unsplittable);
        return false;
      }
      default -> throw new IllegalStateException(kind.name());
    }
    more(head, 0, length);
    return true;
  }

  @Override
  public void more(byte[] bytes, int offset, int length) throws IOException {
    for (LoadSession s : targets) {
      s.write(bytes, offset, length);
    }
  }

  @Override
  public void end() throws IOException {
    more(NEWLINE, 0, 1);
    if (dataTarget != null) {
      dataTarget.markDirty();
    }
    if (sessionSetting) {
      for (LoadSession w : workers) {
        w.writeAscii(KEEP_UNIQUE_CHECKS);
      }
      sessionSetting = false;
    }
    targets = List.of();
    dataTarget = null;
  }

  @Override
  public void raw(byte[] bytes, int offset, int length) throws IOException {
    main.write(bytes, offset, length);
    main.markDirty();
  }

  /** Waits until every worker with rows outstanding has run them. */
  private void syncWorkers() throws IOException, InterruptedException {
    List<LoadSession> waiting = new ArrayList<>();
    for (LoadSession w : workers) {
      if (w.dirty()) {
        w.requestSync();
        waiting.add(w);
      }
    }
    for (LoadSession w : waiting) {
      w.awaitSync();
    }
  }

  private static String preview(byte[] head, int length) {
    String s =
        new String(head, 0, Math.min(length, 120), StandardCharsets.ISO_8859_1)
            .replaceAll("\\s+", " ")
            .trim();
    return length > 120 ? s + "..." : s;
  }
}
