package io.dbjobs.common.logical;

import java.math.BigInteger;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Hands tables and chunks to a dump's sessions so that each session mostly dumps one table at a
 * time, start to end (a loader then gets whole tables early, one per session), and a session with
 * no table left helps with the chunks of the table with the most left, from its end. Tables are
 * taken biggest first. The session that takes a table plans its chunks in its own snapshot.
 */
final class ChunkScheduler {
  /** One table's progress. */
  static final class TableJob {
    final DumpTable table;
    final boolean consistent;
    List<String> where; // per chunk; null entries: no WHERE
    final Deque<Integer> pending = new ArrayDeque<>();
    int chunks;
    int done;
    long rows;
    boolean planning;

    TableJob(DumpTable table, boolean consistent) {
      this.table = table;
      this.consistent = consistent;
    }
  }

  /** What a session does next: plan a table (then dump its chunk 0), or dump a chunk. */
  record Work(TableJob job, int chunk, boolean plan) {}

  private final Deque<TableJob> unstarted;
  private final List<TableJob> started = new ArrayList<>();
  private final TableJob[] current;
  private boolean failed;

  ChunkScheduler(List<TableJob> jobs, int sessions) {
    this.unstarted = new ArrayDeque<>(jobs);
    this.current = new TableJob[sessions];
  }

  /** The next work of {@code session}, or null when nothing is left (or the dump failed). */
  synchronized Work take(int session) throws InterruptedException {
    while (!failed) {
      TableJob mine = current[session];
      if (mine != null && !mine.pending.isEmpty()) {
        return new Work(mine, mine.pending.pollFirst(), false);
      }
      if (!unstarted.isEmpty()) {
        TableJob t = unstarted.pollFirst();
        t.planning = true;
        current[session] = t;
        started.add(t);
        return new Work(t, 0, true);
      }
      TableJob best = null;
      boolean anyPlanning = false;
      for (TableJob t : started) {
        anyPlanning |= t.planning;
        if (!t.pending.isEmpty() && (best == null || t.pending.size() > best.pending.size())) {
          best = t;
        }
      }
      if (best != null) {
        return new Work(best, best.pending.pollLast(), false);
      }
      if (!anyPlanning) {
        return null;
      }
      wait(500);
    }
    return null;
  }

  /** A table's chunks are planned; chunk 0 goes to the planner, the rest wait here. */
  synchronized void planned(TableJob t, List<String> where) {
    t.where = where;
    t.chunks = where.size();
    for (int i = 1; i < t.chunks; i++) {
      t.pending.addLast(i);
    }
    t.planning = false;
    notifyAll();
  }

  /**
   * A chunk is dumped.
   *
   * @return true when it was the table's last
   */
  synchronized boolean done(TableJob t, long rows) {
    t.rows += rows;
    t.done++;
    return t.done == t.chunks;
  }

  synchronized void fail() {
    failed = true;
    notifyAll();
  }

  /**
   * WHERE clauses splitting {@code [min, max]} of an integer column into {@code n} ranges of equal
   * width; the first range is open below and the last open above, so together they cover every
   * value.
   */
  static List<String> ranges(String column, BigInteger min, BigInteger max, int n) {
    List<String> out = new ArrayList<>();
    if (min == null || max == null || n <= 1) {
      out.add(null);
      return out;
    }
    BigInteger span = max.subtract(min).add(BigInteger.ONE);
    int k = (int) Math.min(n, span.min(BigInteger.valueOf(n)).longValueExact());
    String c = Sql.id(column);
    BigInteger prev = null;
    for (int i = 1; i <= k; i++) {
      BigInteger bound =
          i == k
              ? null
              : min.add(span.multiply(BigInteger.valueOf(i)).divide(BigInteger.valueOf(k)));
      if (prev == null) {
        out.add(bound == null ? null : c + " < " + bound);
      } else if (bound == null) {
        out.add(c + " >= " + prev);
      } else {
        out.add(c + " >= " + prev + " AND " + c + " < " + bound);
      }
      prev = bound;
    }
    return out;
  }
}
