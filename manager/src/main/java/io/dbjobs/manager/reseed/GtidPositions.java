package io.dbjobs.manager.reseed;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * GTID arithmetic for the preflight's one question: does the primary still have every transaction
 * after a backup's position in its binary logs? MariaDB positions are {@code domain-server-seq}
 * lists (one per domain); MySQL positions are sets of {@code uuid:interval[:interval]}.
 */
final class GtidPositions {
  private GtidPositions() {}

  /** A MariaDB position: the last sequence number applied per domain. */
  static Map<Long, Long> mariadb(String position) {
    Map<Long, Long> out = new LinkedHashMap<>();
    if (position == null || position.isBlank()) {
      return out;
    }
    for (String part : position.split(",")) {
      String p = part.trim();
      if (p.isEmpty()) {
        continue;
      }
      String[] f = p.split("-");
      if (f.length != 3) {
        throw new IllegalArgumentException("not a MariaDB GTID (domain-server-seq): '" + p + "'");
      }
      out.merge(Long.parseLong(f[0]), Long.parseLong(f[2]), Math::max);
    }
    return out;
  }

  /**
   * What the primary lacks to bring a node at {@code backup} forward, given the GTID state at the
   * start of its oldest binary log ({@code BINLOG_GTID_POS(oldest, 4)}): for each domain, the
   * binary logs begin after sequence S; a backup at B needs B >= S. Empty when nothing is missing.
   */
  static List<String> mariadbMissing(String backup, String oldestBinlogState) {
    Map<Long, Long> b = mariadb(backup);
    Map<Long, Long> s = mariadb(oldestBinlogState);
    List<String> missing = new ArrayList<>();
    for (Map.Entry<Long, Long> e : s.entrySet()) {
      long have = b.getOrDefault(e.getKey(), 0L);
      if (have < e.getValue()) {
        missing.add(
            "domain "
                + e.getKey()
                + ": the backup is at seq "
                + have
                + " but the primary's binlogs start after seq "
                + e.getValue());
      }
    }
    return missing;
  }

  /**
   * Domains where the backup is ahead of the primary's current position (it holds errant
   * transactions).
   */
  static List<String> mariadbAhead(String backup, String primaryCurrent) {
    Map<Long, Long> b = mariadb(backup);
    Map<Long, Long> p = mariadb(primaryCurrent);
    List<String> ahead = new ArrayList<>();
    for (Map.Entry<Long, Long> e : b.entrySet()) {
      long primary = p.getOrDefault(e.getKey(), 0L);
      if (e.getValue() > primary) {
        ahead.add(
            "domain "
                + e.getKey()
                + ": the backup is at seq "
                + e.getValue()
                + ", the primary only at "
                + primary);
      }
    }
    return ahead;
  }

  /** A MySQL GTID set: per source UUID, sorted disjoint intervals [from, to]. */
  static Map<String, List<long[]>> mysql(String set) {
    Map<String, List<long[]>> out = new LinkedHashMap<>();
    if (set == null || set.isBlank()) {
      return out;
    }
    for (String part : set.replaceAll("\\s+", "").split(",")) {
      if (part.isEmpty()) {
        continue;
      }
      String[] f = part.split(":");
      List<long[]> intervals =
          out.computeIfAbsent(f[0].toLowerCase(java.util.Locale.ROOT), k -> new ArrayList<>());
      for (int i = 1; i < f.length; i++) {
        String[] r = f[i].split("-");
        long from = Long.parseLong(r[0]);
        long to = r.length > 1 ? Long.parseLong(r[1]) : from;
        intervals.add(new long[] {from, to});
      }
    }
    out.values().forEach(GtidPositions::normalize);
    return out;
  }

  private static void normalize(List<long[]> intervals) {
    intervals.sort((x, y) -> Long.compare(x[0], y[0]));
    List<long[]> merged = new ArrayList<>();
    for (long[] iv : intervals) {
      if (!merged.isEmpty() && merged.get(merged.size() - 1)[1] + 1 >= iv[0]) {
        long[] last = merged.get(merged.size() - 1);
        last[1] = Math.max(last[1], iv[1]);
      } else {
        merged.add(new long[] {iv[0], iv[1]});
      }
    }
    intervals.clear();
    intervals.addAll(merged);
  }

  /**
   * MySQL: transactions the primary purged from its binlogs that the backup does not contain
   * ({@code gtid_purged} minus the backup's set). Empty when the backup can catch up.
   */
  static List<String> mysqlMissing(String backup, String primaryPurged) {
    Map<String, List<long[]>> b = mysql(backup);
    List<String> missing = new ArrayList<>();
    for (Map.Entry<String, List<long[]>> e : mysql(primaryPurged).entrySet()) {
      List<long[]> have = b.getOrDefault(e.getKey(), List.of());
      for (long[] need : e.getValue()) {
        if (!covered(need, have)) {
          missing.add(
              e.getKey()
                  + ":"
                  + need[0]
                  + "-"
                  + need[1]
                  + " was purged from the primary's binlogs but is not in the backup");
        }
      }
    }
    return missing;
  }

  private static boolean covered(long[] need, List<long[]> have) {
    for (long[] h : have) {
      if (h[0] <= need[0] && need[1] <= h[1]) {
        return true;
      }
    }
    return false;
  }
}
