package io.dbjobs.common.logical;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.db.SqlErrors;
import io.dbjobs.common.time.Durations;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A parallel, consistent logical dump of a MariaDB server (10.4 or later) into a {@link
 * PartWriter}, the way mydumper takes one:
 *
 * <ol>
 *   <li>N sessions are opened; a control session takes {@link SnapshotLock} ({@code BACKUP STAGE
 *       BLOCK_COMMIT}, within the lock timeout), every session starts {@code START TRANSACTION WITH
 *       CONSISTENT SNAPSHOT}, the GTID and binary log position are read, non-transactional tables
 *       are dumped (or, with {@link DumpOptions.NonTransactional#UNLOCKED}, left for later and
 *       named as not consistent), and the lock is released: its wait and hold times are in the
 *       manifest;
 *   <li>the schema part: every object, once, in an order that loads ({@link SchemaObject.Kind});
 *   <li>rows: each session dumps whole tables, biggest first; tables bigger than the chunk size in
 *       primary-key ranges; a session without a table left takes chunks of another ({@link
 *       ChunkScheduler}). Result sets stream row by row; a table that yields no row is checked to
 *       be empty in the snapshot;
 *   <li>END with the {@link DumpManifest}.
 * </ol>
 *
 * Memory is bounded whatever the data size: one row buffer and one compressor per session, and the
 * writer's queue. Runs on its own threads; {@link #await} gives the manifest or the failure, {@link
 * #close} stops it (connections aborted, the lock released, the writer failed).
 */
public final class LogicalDump implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LogicalDump.class);

  /** Hears what the dump is doing. */
  @FunctionalInterface
  public interface Listener {
    void phase(String phase);
  }

  private final SourceDb db;
  private final String source;
  private final DumpOptions options;
  private final PartWriter out;
  private final Listener listener;
  private final List<Connection> connections = new ArrayList<>();
  private final CompletableFuture<DumpManifest> result = new CompletableFuture<>();
  private final AtomicLong rowsDumped = new AtomicLong();
  private final List<String> warnings = new ArrayList<>();
  private final Thread coordinator;
  private volatile boolean stopping;

  private LogicalDump(
      SourceDb db, String source, DumpOptions options, PartWriter out, Listener listener) {
    this.db = db;
    this.source = source;
    this.options = options;
    this.out = out;
    this.listener = listener;
    this.coordinator = new Thread(this::run, "dump-" + source);
    coordinator.setDaemon(true);
  }

  /**
   * Starts dumping.
   *
   * @param source the source's name, for messages
   */
  public static LogicalDump start(
      SourceDb db, String source, DumpOptions options, PartWriter out, Listener listener) {
    LogicalDump d = new LogicalDump(db, source, options, out, listener);
    d.coordinator.start();
    return d;
  }

  /** Rows dumped so far. */
  public long rows() {
    return rowsDumped.get();
  }

  /**
   * Waits for the dump's end.
   *
   * @throws DbJobsException what failed
   */
  public DumpManifest await() throws InterruptedException {
    try {
      return result.get();
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      throw c instanceof DbJobsException d
          ? new DbJobsException(d.code(), d.getMessage(), d)
          : new DbJobsException(ErrorCode.INTERNAL, DbJobsException.describe(c), c);
    }
  }

  /** Stops a dump that has not ended: its stream fails, connections are aborted. */
  @Override
  public void close() {
    if (!result.isDone()) {
      stopping = true;
      out.fail(new DbJobsException(ErrorCode.CANCELLED, "the dump of " + source + " was stopped"));
      abortAll();
    }
    try {
      coordinator.join(Duration.ofSeconds(30).toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void run() {
    try {
      DumpManifest m = dump();
      out.end(m);
      result.complete(m);
    } catch (Throwable t) {
      DbJobsException e = failure(t);
      out.fail(e);
      result.completeExceptionally(e);
    } finally {
      abortAll();
    }
  }

  private DbJobsException failure(Throwable t) {
    if (stopping) {
      return new DbJobsException(ErrorCode.CANCELLED, "the dump of " + source + " was stopped", t);
    }
    if (t instanceof DbJobsException d) {
      return d;
    }
    if (t instanceof SQLException s) {
      return new DbJobsException(
          SqlErrors.classify(s), "dumping " + source + " failed: " + SqlErrors.message(s), s);
    }
    if (t instanceof IOException && out.failure() != null) {
      Throwable f = out.failure();
      return f instanceof DbJobsException d
          ? d
          : new DbJobsException(ErrorCode.CANCELLED, "the dump's stream ended", f);
    }
    return new DbJobsException(
        ErrorCode.INTERNAL, "dumping " + source + " failed: " + DbJobsException.describe(t), t);
  }

  private DumpManifest dump() throws Exception {
    Instant started = Instant.now();
    Connection control = open(false);
    String version;
    try (Statement s = control.createStatement();
        ResultSet rs = s.executeQuery("SELECT @@version, @@version_comment")) {
      rs.next();
      version = rs.getString(1);
      requireMariaDb(version, rs.getString(2));
    }
    List<String> schemas = SchemaReader.schemas(control, options.schemas());
    List<SourceTable> all = SchemaReader.tables(control, schemas);
    List<SourceTable> tables = all.stream().filter(SourceTable::isTable).toList();
    List<SourceTable> locked =
        options.nonTransactional() == DumpOptions.NonTransactional.LOCK
            ? tables.stream().filter(t -> t.hasData() && !t.transactional()).toList()
            : List.of();
    List<Connection> sessions = new ArrayList<>();
    for (int i = 0; i < options.threads(); i++) {
      sessions.add(open(true));
    }

    listener.phase("taking the snapshot lock on " + source);
    SnapshotLock lock = SnapshotLock.take(control, source, options.lockTimeout());
    BackupPositionRead position;
    List<ChunkScheduler.TableJob> lockedJobs = new ArrayList<>();
    Duration held;
    try {
      for (Connection c : sessions) {
        try (Statement s = c.createStatement()) {
          s.execute("START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY");
        }
      }
      position = readPosition(control);
      if (!locked.isEmpty()) {
        listener.phase(
            "dumping " + locked.size() + " non-transactional tables under the snapshot lock");
        for (SourceTable t : locked) {
          lockedJobs.add(
              new ChunkScheduler.TableJob(SchemaReader.table(control, t, warnings), true));
        }
        dumpRows(sessions, lockedJobs);
      }
    } finally {
      held = lock.release();
    }
    LOG.info(
        "dump of {}: snapshot lock {} waited {} and held {} ({}), {}",
        source,
        SnapshotLock.METHOD,
        Durations.human(lock.waited()),
        Durations.human(held),
        locked.isEmpty()
            ? "no non-transactional table"
            : locked.size() + " non-transactional tables dumped under it",
        position);

    // the schema, read in session 0's snapshot (sequence states come from it)
    listener.phase("reading the schema of " + schemas.size() + " schemas");
    Connection first = sessions.get(0);
    exec(first, "SET SESSION character_set_results = utf8mb4");
    List<SchemaObject> objects = new ArrayList<>(SchemaReader.databases(first, schemas));
    List<ChunkScheduler.TableJob> jobs = new ArrayList<>();
    List<String> unlocked = new ArrayList<>();
    for (ChunkScheduler.TableJob j : lockedJobs) {
      objects.add(j.table.object());
    }
    for (SourceTable t : tables) {
      if (locked.contains(t)) {
        continue;
      }
      DumpTable dt = SchemaReader.table(first, t, warnings);
      objects.add(dt.object());
      boolean consistent = t.transactional() || !t.hasData();
      if (!consistent) {
        unlocked.add(t.label() + " (" + t.engine() + ")");
      }
      jobs.add(new ChunkScheduler.TableJob(dt, consistent));
    }
    for (SourceTable q : all) {
      if (q.isSequence()) {
        objects.add(SchemaReader.sequence(first, q));
      }
    }
    for (SourceTable v : all) {
      if (v.isView()) {
        objects.add(SchemaReader.view(first, v));
      }
    }
    for (String schema : schemas) {
      objects.addAll(SchemaReader.routines(first, schema, warnings));
    }
    for (String schema : schemas) {
      objects.addAll(SchemaReader.triggers(first, schema));
      objects.addAll(SchemaReader.events(first, schema));
    }
    exec(first, "SET SESSION character_set_results = binary");
    if (!unlocked.isEmpty()) {
      warnings.add(
          "not consistent with the rest: "
              + String.join(", ", unlocked)
              + " (non-transactional, dumped after the snapshot lock was released)");
    }
    writeSchema(objects);

    listener.phase(
        "dumping "
            + jobs.stream().filter(j -> j.table.source().hasData()).count()
            + " tables with "
            + sessions.size()
            + " sessions (snapshot lock held "
            + Durations.human(held)
            + ")");
    dumpRows(sessions, jobs);
    for (Connection c : sessions) {
      exec(c, "COMMIT");
    }

    List<TableSummary> summary = new ArrayList<>();
    List<ChunkScheduler.TableJob> every = new ArrayList<>(lockedJobs);
    every.addAll(jobs);
    for (ChunkScheduler.TableJob j : every) {
      SourceTable t = j.table.source();
      summary.add(
          new TableSummary(
              t.schema(),
              t.name(),
              t.engine(),
              j.rows,
              j.chunks,
              j.consistent,
              j.table.object().table().history()));
    }
    return new DumpManifest(
        PartFormat.VERSION,
        position.gtid,
        position.file,
        position.pos,
        version,
        "mariadb",
        SnapshotLock.METHOD,
        lock.waited().toMillis(),
        held.toMillis(),
        options.threads(),
        started,
        Instant.now(),
        out.parts(),
        summary,
        warnings);
  }

  private static void requireMariaDb(String version, String comment) {
    boolean maria =
        (version != null && version.toLowerCase(Locale.ROOT).contains("mariadb"))
            || (comment != null && comment.toLowerCase(Locale.ROOT).contains("mariadb"));
    int[] v = numbers(version);
    if (!maria || v[0] < 10 || (v[0] == 10 && v[1] < 4)) {
      throw new DbJobsException(
          ErrorCode.BAD_PARAMETER,
          "the parallel dump needs MariaDB 10.4 or later (BACKUP STAGE); the source runs "
              + version
              + " ("
              + comment
              + "): use the single-stream format (format=sql)");
    }
  }

  private static int[] numbers(String version) {
    int[] out = new int[2];
    String[] p = version == null ? new String[0] : version.split("[.-]");
    for (int i = 0; i < 2 && i < p.length; i++) {
      try {
        out[i] = Integer.parseInt(p[i]);
      } catch (NumberFormatException e) {
        out[i] = 0;
      }
    }
    return out;
  }

  private record BackupPositionRead(String gtid, String file, Long pos) {
    @Override
    public String toString() {
      return "GTID " + gtid + (file == null ? "" : ", " + file + ":" + pos);
    }
  }

  private BackupPositionRead readPosition(Connection c) throws SQLException {
    boolean logBin;
    String binlogPos;
    String slavePos;
    try (Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT @@GLOBAL.log_bin, @@GLOBAL.gtid_binlog_pos, @@GLOBAL.gtid_slave_pos")) {
      rs.next();
      logBin = rs.getBoolean(1);
      binlogPos = rs.getString(2);
      slavePos = rs.getString(3);
    }
    if (!logBin) {
      warnings.add(
          source
              + " has no binary log: the dump's position is its replication position"
              + " (gtid_slave_pos)");
      return new BackupPositionRead(blankToNull(slavePos), null, null);
    }
    String file = null;
    Long pos = null;
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SHOW MASTER STATUS")) {
      if (rs.next()) {
        file = rs.getString(1);
        pos = rs.getLong(2);
      }
    }
    return new BackupPositionRead(blankToNull(binlogPos), file, pos);
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }

  private void writeSchema(List<SchemaObject> objects) throws IOException {
    List<SchemaObject> ordered = new ArrayList<>(objects);
    ordered.sort((a, b) -> Integer.compare(a.kind().ordinal(), b.kind().ordinal()));
    PartWriter.Part p = out.openSchema();
    try {
      for (SchemaObject o : ordered) {
        p.write(PartJson.bytes(o));
        p.write('\n');
      }
      p.finish(ordered.size());
    } finally {
      p.close();
    }
  }

  /** Dumps the rows of {@code jobs} with every session, each on its own thread. */
  private void dumpRows(List<Connection> sessions, List<ChunkScheduler.TableJob> jobs)
      throws Exception {
    List<ChunkScheduler.TableJob> withData =
        jobs.stream().filter(j -> j.table.source().hasData()).toList();
    if (withData.isEmpty()) {
      return;
    }
    ChunkScheduler scheduler = new ChunkScheduler(withData, sessions.size());
    AtomicReference<Throwable> failed = new AtomicReference<>();
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < sessions.size(); i++) {
      int session = i;
      Connection c = sessions.get(i);
      Thread t =
          new Thread(
              () -> {
                try {
                  ChunkScheduler.Work w;
                  while ((w = scheduler.take(session)) != null) {
                    work(c, scheduler, w);
                  }
                } catch (Throwable e) {
                  if (failed.compareAndSet(null, e)) {
                    scheduler.fail();
                    out.fail(failure(e));
                  }
                }
              },
              "dump-" + source + "-" + i);
      t.setDaemon(true);
      threads.add(t);
      t.start();
    }
    for (Thread t : threads) {
      t.join();
    }
    if (failed.get() != null) {
      Throwable e = failed.get();
      throw e instanceof Exception x ? x : new DbJobsException(ErrorCode.INTERNAL, e.toString(), e);
    }
  }

  private void work(Connection c, ChunkScheduler scheduler, ChunkScheduler.Work w)
      throws SQLException, IOException {
    ChunkScheduler.TableJob job = w.job();
    DumpTable t = job.table;
    if (w.plan()) {
      scheduler.planned(job, plan(c, t));
    }
    String where = job.where.get(w.chunk());
    String sql = t.select() + (where == null ? "" : " WHERE " + where);
    long rows;
    PartWriter.Part p = out.openRows(t.source().schema(), t.source().name(), w.chunk(), job.chunks);
    try {
      try (Statement s =
          c.createStatement(ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_READ_ONLY)) {
        s.setFetchSize(Integer.MIN_VALUE);
        try (ResultSet rs = s.executeQuery(sql)) {
          RowEncoder enc = new RowEncoder(p);
          enc.writeAll(rs, t.width());
          enc.flush();
          rows = enc.rows();
        }
      } catch (SQLException e) {
        throw new DbJobsException(
            SqlErrors.classify(e),
            "dumping "
                + t.source().label()
                + " (chunk "
                + (w.chunk() + 1)
                + " of "
                + job.chunks
                + ") from "
                + source
                + " failed: "
                + SqlErrors.message(e)
                + (e.getErrorCode() == 1412
                    ? " (its definition changed after the snapshot: run the dump again)"
                    : ""),
            e);
      }
      p.finish(rows);
    } finally {
      p.close();
    }
    rowsDumped.addAndGet(rows);
    if (scheduler.done(job, rows) && job.rows == 0) {
      requireEmpty(c, t);
    }
  }

  /** The chunks of a table: primary-key ranges of about the chunk size, or one. */
  private List<String> plan(Connection c, DumpTable t) throws SQLException {
    long n = (t.source().dataLength() + options.chunkBytes() - 1) / options.chunkBytes();
    if (t.chunkColumn() == null || n <= 1) {
      return ChunkScheduler.ranges(null, null, null, 1);
    }
    String col = Sql.id(t.chunkColumn());
    String from =
        t.source().qualified() + (t.object().table().history() ? " FOR SYSTEM_TIME ALL" : "");
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT MIN(" + col + "), MAX(" + col + ") FROM " + from)) {
      rs.next();
      return ChunkScheduler.ranges(
          t.chunkColumn(),
          integer(rs.getBytes(1)),
          integer(rs.getBytes(2)),
          (int) Math.min(n, 4096));
    }
  }

  private static BigInteger integer(byte[] text) {
    return text == null ? null : new BigInteger(new String(text, StandardCharsets.US_ASCII).trim());
  }

  /**
   * A table that yielded no row must be empty in the snapshot: a dump never passes off a table with
   * rows as an empty one.
   */
  private void requireEmpty(Connection c, DumpTable t) throws SQLException {
    String from =
        t.source().qualified() + (t.object().table().history() ? " FOR SYSTEM_TIME ALL" : "");
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT 1 FROM " + from + " LIMIT 1")) {
      if (rs.next()) {
        throw new DbJobsException(
            ErrorCode.INTERNAL,
            "the dump of "
                + t.source().label()
                + " on "
                + source
                + " yielded no rows although the table has rows in the snapshot; the dump is"
                + " refused");
      }
    }
  }

  private Connection open(boolean session) throws SQLException {
    if (stopping) {
      throw new DbJobsException(ErrorCode.CANCELLED, "the dump of " + source + " was stopped");
    }
    Connection c = db.open();
    synchronized (connections) {
      connections.add(c);
    }
    try (Statement s = c.createStatement()) {
      s.execute(
          "SET SESSION time_zone = '+00:00', sql_mode = '', net_write_timeout = 3600,"
              + " net_read_timeout = 3600, max_statement_time = 0, wait_timeout = 86400");
      if (session) {
        s.execute("SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ");
        s.execute("SET SESSION character_set_results = binary");
      }
    }
    return c;
  }

  private static void exec(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  private void abortAll() {
    List<Connection> copy;
    synchronized (connections) {
      copy = new ArrayList<>(connections);
      connections.clear();
    }
    Executor direct = Runnable::run;
    for (Connection c : copy) {
      try {
        c.abort(direct);
      } catch (SQLException | RuntimeException e) {
        LOG.debug("aborting a dump connection to {}: {}", source, e.toString());
      }
    }
  }
}
