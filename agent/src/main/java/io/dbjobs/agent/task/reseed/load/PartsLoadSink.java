package io.dbjobs.agent.task.reseed.load;

import com.github.luben.zstd.ZstdInputStreamNoFinalizer;
import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.backup.BackupPosition;
import io.dbjobs.common.logical.DumpManifest;
import io.dbjobs.common.logical.PartHeader;
import io.dbjobs.common.logical.PartJson;
import io.dbjobs.common.logical.PartReader;
import io.dbjobs.common.logical.PartTrailer;
import io.dbjobs.common.logical.SchemaObject;
import io.dbjobs.common.logical.SourceDb;
import io.dbjobs.common.logical.TableSummary;
import io.dbjobs.common.stream.StreamSink;
import io.dbjobs.common.time.Durations;
import io.dbjobs.common.units.Sizes;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads a parallel dump ({@link io.dbjobs.common.logical.PartFormat}) as it arrives: each part is
 * staged, compressed as it came, in a private folder; the schema part's databases, tables and
 * sequences are created as soon as it is whole; then {@code sessions} sessions load whole tables at
 * once ({@link TableLoader}), each table's chunks as they arrive; once every row is in, routines,
 * views, triggers and events are created and every table's loaded rows are checked against the
 * dump's counts. Acknowledged only then.
 *
 * <p>Staging holds at most the dump's compressed size (each chunk file is deleted once loaded); the
 * load fails with DISK_FULL before the staging disk falls below {@link #RESERVE_BYTES} free. Memory
 * is bounded: one record of the stream, and per session one decompressor. On abort every session is
 * ended, the staging folder removed and {@code onAbort} (putting the old schemas back) run.
 */
public final class PartsLoadSink implements StreamSink, PartReader.Handler {
  private static final Logger LOG = LoggerFactory.getLogger(PartsLoadSink.class);

  /** Free space the staging disk keeps; below it the load fails instead of filling the disk. */
  static final long RESERVE_BYTES = 512L << 20;

  private static final long SPACE_CHECK_EVERY = 64L << 20;

  /**
   * How a parts load runs.
   *
   * @param sessions sessions loading tables at once
   * @param staging a folder of its own (created, emptied, removed at the end)
   * @param idle the longest a session waits for the next chunk of its table
   */
  public record Settings(SourceDb db, int sessions, Path staging, Duration idle) {}

  private final Settings settings;
  private final Runnable onAbort;
  private final Consumer<String> phase;
  private final PartReader reader = new PartReader(this);
  private final StagedParts staged = new StagedParts();
  private final LoaderSessions sessions;
  private final Map<Integer, FileChannel> files = new HashMap<>();
  private final CompletableFuture<Path> schemaPart = new CompletableFuture<>();
  private final List<Thread> threads = new ArrayList<>();
  private final Thread coordinator;
  private final long t0 = System.nanoTime();
  private volatile DumpManifest manifest;
  private volatile String summary;
  private volatile int deferredTables;
  private long sinceSpaceCheck;
  private long stagedBytes;
  private boolean aborted;

  private PartsLoadSink(Settings settings, Runnable onAbort, Consumer<String> phase) {
    this.settings = settings;
    this.onAbort = onAbort;
    this.phase = phase;
    this.sessions = new LoaderSessions(settings.db());
    this.coordinator = new Thread(this::coordinate, "load-coordinator");
    coordinator.setDaemon(true);
  }

  /** Starts a load; its staging folder is created empty. */
  public static PartsLoadSink start(Settings settings, Runnable onAbort, Consumer<String> phase)
      throws IOException {
    deleteTree(settings.staging());
    Files.createDirectories(settings.staging());
    PartsLoadSink s = new PartsLoadSink(settings, onAbort, phase);
    s.coordinator.start();
    return s;
  }

  /** Where the dump is consistent (from its END record), once the stream finished. */
  public BackupPosition position() {
    return manifest == null ? BackupPosition.UNKNOWN : manifest.position();
  }

  public DumpManifest manifest() {
    return manifest;
  }

  // --- the stream

  @Override
  public void write(ByteBuffer data) throws IOException, InterruptedException {
    DbJobsException f = staged.failure();
    if (f != null) {
      throw new DbJobsException(f.code(), f.getMessage(), f);
    }
    reader.feed(data);
  }

  @Override
  public String finish(Map<String, String> meta, long bytes, String sha256Hex)
      throws IOException, InterruptedException {
    reader.finish();
    coordinator.join();
    DbJobsException f = staged.failure();
    if (f != null) {
      throw new DbJobsException(f.code(), f.getMessage(), f);
    }
    deleteTree(settings.staging());
    return summary;
  }

  @Override
  public void abort(String reason) {
    synchronized (this) {
      if (aborted) {
        return;
      }
      aborted = true;
    }
    staged.fail(new DbJobsException(ErrorCode.CANCELLED, "the load was stopped: " + reason));
    schemaPart.completeExceptionally(new DbJobsException(ErrorCode.CANCELLED, reason));
    sessions.abortAll();
    try {
      coordinator.join(Duration.ofSeconds(60).toMillis());
      for (Thread t : threadsCopy()) {
        t.join(Duration.ofSeconds(30).toMillis());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (FileChannel ch : files.values()) {
      closeQuietly(ch);
    }
    try {
      deleteTree(settings.staging());
    } catch (IOException e) {
      LOG.error("could not remove the staging folder {}: {}", settings.staging(), e.toString());
    }
    onAbort.run();
  }

  // --- the container's records (on the stream's worker thread)

  @Override
  public void open(PartHeader header) throws IOException {
    Path file = settings.staging().resolve(header.id() + ".zst");
    files.put(
        header.id(),
        FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE));
  }

  @Override
  public void data(PartHeader header, ByteBuffer compressed) throws IOException {
    FileChannel ch = files.get(header.id());
    int n = compressed.remaining();
    while (compressed.hasRemaining()) {
      ch.write(compressed);
    }
    stagedBytes += n;
    sinceSpaceCheck += n;
    if (sinceSpaceCheck >= SPACE_CHECK_EVERY) {
      sinceSpaceCheck = 0;
      long free = Files.getFileStore(settings.staging()).getUsableSpace();
      if (free < RESERVE_BYTES) {
        throw new DbJobsException(
            ErrorCode.DISK_FULL,
            "staging the dump in "
                + settings.staging()
                + " would leave less than "
                + Sizes.human(RESERVE_BYTES)
                + " free ("
                + Sizes.human(free)
                + " left, "
                + Sizes.human(stagedBytes)
                + " staged); free space there (workDir) or load with more sessions");
      }
    }
  }

  @Override
  public void close(PartHeader header, PartTrailer trailer) throws IOException {
    FileChannel ch = files.remove(header.id());
    ch.close();
    Path file = settings.staging().resolve(header.id() + ".zst");
    if (header.holdsSchema()) {
      if (!schemaPart.complete(file)) {
        throw new DbJobsException(ErrorCode.RESTORE_FAILED, "the dump has two schema parts");
      }
    } else {
      staged.received(new StagedParts.Staged(header, trailer, file));
    }
  }

  @Override
  public void end(DumpManifest m) {
    if (!schemaPart.isDone()) {
      throw new DbJobsException(ErrorCode.RESTORE_FAILED, "the dump ended without its schema part");
    }
    manifest = m;
    staged.ended();
  }

  // --- the coordinator

  private void coordinate() {
    Connection ddl = null;
    try {
      Path file = schemaPart.get();
      List<SchemaObject> objects = readSchema(file);
      Files.deleteIfExists(file);
      boolean history =
          objects.stream()
              .anyMatch(o -> o.kind() == SchemaObject.Kind.TABLE && o.table().history());
      ddl = sessions.open(false);
      SchemaApplier applier = new SchemaApplier(ddl);
      phase.accept("loading: creating " + objects.size() + " schema objects");
      // plain secondary keys of InnoDB tables follow their rows (measured faster)
      Map<String, DeferredKeys> deferred = new HashMap<>();
      List<SchemaObject> create = new ArrayList<>();
      for (SchemaObject o : objects) {
        DeferredKeys d = o.kind() == SchemaObject.Kind.TABLE ? DeferredKeys.of(o) : null;
        if (d != null) {
          deferred.put(o.schema() + "\u0000" + o.name(), d);
          create.add(o.withSql(d.create()));
        } else {
          create.add(o);
        }
      }
      deferredTables = deferred.size();
      applier.beforeRows(create);
      List<SchemaObject> tables =
          objects.stream().filter(o -> o.kind() == SchemaObject.Kind.TABLE).toList();
      staged.schemaApplied(tables);
      for (int i = 0; i < settings.sessions(); i++) {
        Thread t =
            new Thread(
                new TableLoader(staged, sessions, history, settings.idle(), deferred),
                "load-session-" + (i + 1));
        t.setDaemon(true);
        synchronized (threads) {
          threads.add(t);
        }
        t.start();
      }
      phase.accept(
          "loading the rows of "
              + tables.size()
              + " tables with "
              + settings.sessions()
              + " sessions");
      staged.awaitLoaded();
      for (Thread t : threadsCopy()) {
        t.join();
      }
      phase.accept("loading: creating routines, views, triggers and events");
      applier.afterRows(objects);
      summary = check(tables);
      LOG.info("load done: {}", summary);
    } catch (ExecutionException e) {
      staged.fail(
          e.getCause() instanceof DbJobsException d
              ? d
              : new DbJobsException(ErrorCode.RESTORE_FAILED, "the load failed", e.getCause()));
    } catch (DbJobsException e) {
      staged.fail(e);
    } catch (InterruptedException e) {
      staged.fail(new DbJobsException(ErrorCode.CANCELLED, "the load was interrupted", e));
    } catch (SQLException | IOException | RuntimeException e) {
      staged.fail(
          new DbJobsException(
              ErrorCode.RESTORE_FAILED, "the load failed: " + DbJobsException.describe(e), e));
    } finally {
      if (ddl != null) {
        sessions.close(ddl);
      }
      if (staged.failure() != null) {
        sessions.abortAll();
      }
    }
  }

  private static List<SchemaObject> readSchema(Path file) throws IOException {
    List<SchemaObject> out = new ArrayList<>();
    try (BufferedReader r =
        new BufferedReader(
            new InputStreamReader(
                new ZstdInputStreamNoFinalizer(Files.newInputStream(file)),
                StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        if (!line.isBlank()) {
          byte[] b = line.getBytes(StandardCharsets.UTF_8);
          out.add(PartJson.read(b, 0, b.length, SchemaObject.class));
        }
      }
    }
    return out;
  }

  /** Every table of the dump loaded with exactly its dumped rows; the summary line. */
  private String check(List<SchemaObject> tables) {
    DumpManifest m = manifest;
    Map<String, StagedParts.TableRows> byName = new HashMap<>();
    for (StagedParts.TableRows t : staged.tables()) {
      byName.put(t.schema + "\u0000" + t.table, t);
    }
    long rows = 0;
    for (TableSummary s : m.tables()) {
      StagedParts.TableRows t = byName.get(s.schema() + "\u0000" + s.table());
      long loaded = t == null ? 0 : t.loadedRows;
      if (t == null && s.chunks() > 0 || loaded != s.rows()) {
        throw new DbJobsException(
            ErrorCode.RESTORE_FAILED,
            s.schema()
                + "."
                + s.table()
                + ": the dump counted "
                + s.rows()
                + " rows, "
                + loaded
                + " were loaded");
      }
      rows += loaded;
    }
    if (m.tables().size() != tables.size()) {
      throw new DbJobsException(
          ErrorCode.RESTORE_FAILED,
          "the dump's schema defines "
              + tables.size()
              + " tables, its manifest lists "
              + m.tables().size());
    }
    return tables.size()
        + " tables ("
        + rows
        + " rows) loaded by "
        + settings.sessions()
        + " sessions from "
        + m.parts()
        + " parts in "
        + Durations.human(Duration.ofNanos(System.nanoTime() - t0))
        + (deferredTables == 0
            ? ""
            : " (secondary keys of " + deferredTables + " tables added after their rows)")
        + "; the dump's snapshot lock ("
        + m.lockMethod()
        + ") was held "
        + m.lockHeldMillis()
        + " ms"
        + (m.warnings().isEmpty() ? "" : "; the dump warns: " + String.join("; ", m.warnings()));
  }

  private List<Thread> threadsCopy() {
    synchronized (threads) {
      return new ArrayList<>(threads);
    }
  }

  private static void closeQuietly(FileChannel ch) {
    try {
      ch.close();
    } catch (IOException e) {
      // a staging file about to be deleted
    }
  }

  static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    List<Path> paths;
    try (Stream<Path> s = Files.walk(dir)) {
      paths = s.sorted(Comparator.reverseOrder()).toList();
    }
    for (Path p : paths) {
      Files.deleteIfExists(p);
    }
  }

  @Override
  public String toString() {
    return "PartsLoadSink[" + Objects.toString(settings.staging()) + "]";
  }
}
