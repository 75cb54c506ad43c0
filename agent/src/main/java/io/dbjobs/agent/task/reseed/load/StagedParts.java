package io.dbjobs.agent.task.reseed.load;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.logical.PartHeader;
import io.dbjobs.common.logical.PartTrailer;
import io.dbjobs.common.logical.SchemaObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a parts load has staged and what its sessions have taken: the parts received whole (each a
 * file in the staging folder), the tables the schema created, and which session loads which table.
 * Sessions wait here for work; the receiving side and the schema's creator signal here.
 * Thread-safe; every wait ends on a failure ({@link #fail}).
 */
final class StagedParts {
  /** One received part: its file and what its trailer said. */
  record Staged(PartHeader header, PartTrailer trailer, Path file) {}

  /** One table's rows: its chunks as they arrive, and its load. */
  static final class TableRows {
    final String schema;
    final String table;
    SchemaObject object; // once the schema part is applied
    int chunks = -1; // from the first part header
    final Deque<Staged> ready = new ArrayDeque<>();
    int received;
    int taken;
    long dumpedRows;
    long stagedBytes;
    boolean loading;
    boolean loaded;
    long loadedRows;

    TableRows(String schema, String table) {
      this.schema = schema;
      this.table = table;
    }

    String label() {
      return schema + "." + table;
    }

    boolean allReceived() {
      return chunks >= 0 && received == chunks;
    }
  }

  private final Map<String, TableRows> tables = new LinkedHashMap<>();
  private boolean schemaApplied;
  private boolean ended;
  private DbJobsException failure;

  private static String key(String schema, String table) {
    return schema + "\u0000" + table;
  }

  private TableRows table(String schema, String table) {
    return tables.computeIfAbsent(key(schema, table), k -> new TableRows(schema, table));
  }

  /** A rows part arrived whole. */
  synchronized void received(Staged s) {
    PartHeader h = s.header();
    TableRows t = table(h.schema(), h.table());
    if (t.chunks >= 0 && t.chunks != h.chunks()) {
      throw new DbJobsException(
          ErrorCode.RESTORE_FAILED,
          "the dump's parts disagree on the chunks of "
              + t.label()
              + ": "
              + t.chunks
              + " and "
              + h.chunks());
    }
    t.chunks = h.chunks();
    t.received++;
    if (t.received > t.chunks) {
      throw new DbJobsException(
          ErrorCode.RESTORE_FAILED,
          "the dump sends more than " + t.chunks + " chunks of " + t.label());
    }
    t.dumpedRows += s.trailer().rows();
    t.stagedBytes += s.trailer().bytes();
    t.ready.addLast(s);
    notifyAll();
  }

  /** The schema's tables exist: their rows may be loaded. */
  synchronized void schemaApplied(List<SchemaObject> tablesCreated) {
    for (SchemaObject o : tablesCreated) {
      TableRows t = table(o.schema(), o.name());
      t.object = o;
      if (!o.table().hasData()) {
        t.chunks = 0;
        t.loaded = true;
      }
    }
    for (TableRows t : tables.values()) {
      if (t.object == null) {
        throw new DbJobsException(
            ErrorCode.RESTORE_FAILED,
            "the dump has rows of " + t.label() + ", which its schema does not define");
      }
    }
    schemaApplied = true;
    notifyAll();
  }

  /** The END record arrived: no more parts. */
  synchronized void ended() {
    ended = true;
    notifyAll();
  }

  synchronized void fail(DbJobsException e) {
    if (failure == null) {
      failure = e;
    }
    notifyAll();
  }

  synchronized DbJobsException failure() {
    return failure;
  }

  /**
   * A table for a session to load: created, with a chunk received, not taken by another session;
   * the one with the most bytes staged first. Null when every table is taken or loaded and nothing
   * more can arrive.
   */
  synchronized TableRows nextTable() throws InterruptedException {
    while (true) {
      check();
      if (schemaApplied) {
        TableRows best = null;
        boolean open = false;
        for (TableRows t : tables.values()) {
          if (t.loading || t.loaded) {
            continue;
          }
          open = true;
          if (!t.ready.isEmpty() && (best == null || t.stagedBytes > best.stagedBytes)) {
            best = t;
          }
        }
        if (best != null) {
          best.loading = true;
          return best;
        }
        if (!open && ended) {
          return null;
        }
        if (ended) {
          for (TableRows t : tables.values()) {
            if (!t.loading && !t.loaded && t.ready.isEmpty()) {
              throw new DbJobsException(
                  ErrorCode.RESTORE_FAILED,
                  "the dump ended without "
                      + (t.chunks < 0 ? "any" : (t.chunks - t.received) + " of the " + t.chunks)
                      + " chunks of "
                      + t.label());
            }
          }
        }
      }
      wait(1000);
    }
  }

  /**
   * The next chunk of {@code t} to load, waiting for it; null when every chunk was taken.
   *
   * @param idle how long to wait without a part arriving before giving up (the stream's own idle
   *     timeout fails the stream first)
   */
  synchronized Staged nextChunk(TableRows t, Duration idle) throws InterruptedException {
    long deadline = System.nanoTime() + idle.toNanos();
    while (true) {
      check();
      if (!t.ready.isEmpty()) {
        t.taken++;
        return t.ready.pollFirst();
      }
      if (t.chunks >= 0 && t.taken == t.chunks) {
        return null;
      }
      if (ended) {
        throw new DbJobsException(
            ErrorCode.RESTORE_FAILED,
            "the dump ended with "
                + t.received
                + " of the "
                + t.chunks
                + " chunks of "
                + t.label());
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new DbJobsException(
            ErrorCode.TIMEOUT,
            "no chunk of " + t.label() + " arrived for " + idle.toSeconds() + "s while loading it");
      }
      wait(Math.max(1, Math.min(1000, left / 1_000_000)));
    }
  }

  synchronized void loaded(TableRows t, long rows) {
    t.loaded = true;
    t.loading = false;
    t.loadedRows = rows;
    notifyAll();
  }

  /** Every table, for the final checks. */
  synchronized List<TableRows> tables() {
    return new ArrayList<>(tables.values());
  }

  /** Waits until every table is loaded (or a failure). */
  synchronized void awaitLoaded() throws InterruptedException {
    while (true) {
      check();
      if (schemaApplied && ended && tables.values().stream().allMatch(t -> t.loaded)) {
        return;
      }
      wait(1000);
    }
  }

  /** Tables loaded so far, for progress. */
  synchronized int loadedCount() {
    return (int) tables.values().stream().filter(t -> t.loaded).count();
  }

  private void check() {
    if (failure != null) {
      throw new DbJobsException(failure.code(), failure.getMessage(), failure);
    }
  }
}
