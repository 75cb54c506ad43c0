package io.dbjobs.common.health;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * A MySQL GTID set ({@code uuid:1-100:105,uuid2:1-5}): per source UUID, sorted disjoint intervals.
 * Immutable.
 */
public final class GtidSet {
  private final Map<String, List<long[]>> intervals;

  private GtidSet(Map<String, List<long[]>> intervals) {
    this.intervals = intervals;
  }

  /**
   * Parses a set as {@code gtid_executed} shows it (newlines and spaces allowed).
   *
   * @throws IllegalArgumentException naming the part that is not {@code uuid:from[-to]...}
   */
  public static GtidSet parse(String set) {
    Map<String, List<long[]>> out = new TreeMap<>();
    if (set != null && !set.isBlank()) {
      for (String part : set.replaceAll("\\s+", "").split(",")) {
        if (part.isEmpty()) {
          continue;
        }
        String[] f = part.split(":");
        if (f.length < 2 || f[0].isEmpty()) {
          throw new IllegalArgumentException("not a MySQL GTID set part (uuid:from-to): " + part);
        }
        List<long[]> list =
            out.computeIfAbsent(f[0].toLowerCase(Locale.ROOT), k -> new ArrayList<>());
        for (int i = 1; i < f.length; i++) {
          String[] r = f[i].split("-");
          try {
            long from = Long.parseLong(r[0]);
            long to = r.length > 1 ? Long.parseLong(r[1]) : from;
            if (r.length > 2 || to < from) {
              throw new NumberFormatException(f[i]);
            }
            list.add(new long[] {from, to});
          } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                "not a MySQL GTID interval (from-to): " + f[i] + " in " + part, e);
          }
        }
      }
    }
    out.replaceAll((k, v) -> normalize(v));
    out.values().removeIf(List::isEmpty);
    return new GtidSet(out);
  }

  private static List<long[]> normalize(List<long[]> list) {
    List<long[]> sorted = new ArrayList<>(list);
    sorted.sort((x, y) -> Long.compare(x[0], y[0]));
    List<long[]> merged = new ArrayList<>();
    for (long[] iv : sorted) {
      if (!merged.isEmpty() && merged.get(merged.size() - 1)[1] + 1 >= iv[0]) {
        long[] last = merged.get(merged.size() - 1);
        last[1] = Math.max(last[1], iv[1]);
      } else {
        merged.add(new long[] {iv[0], iv[1]});
      }
    }
    return merged;
  }

  /** The transactions in this set and not in {@code other}. */
  public GtidSet minus(GtidSet other) {
    Map<String, List<long[]>> out = new TreeMap<>();
    intervals.forEach(
        (uuid, mine) -> {
          List<long[]> rest = new ArrayList<>();
          for (long[] iv : mine) {
            rest.add(new long[] {iv[0], iv[1]});
          }
          for (long[] cut : other.intervals.getOrDefault(uuid, List.of())) {
            List<long[]> next = new ArrayList<>();
            for (long[] iv : rest) {
              if (cut[1] < iv[0] || cut[0] > iv[1]) {
                next.add(iv);
                continue;
              }
              if (iv[0] < cut[0]) {
                next.add(new long[] {iv[0], cut[0] - 1});
              }
              if (iv[1] > cut[1]) {
                next.add(new long[] {cut[1] + 1, iv[1]});
              }
            }
            rest = next;
          }
          if (!rest.isEmpty()) {
            out.put(uuid, rest);
          }
        });
    return new GtidSet(out);
  }

  public boolean isEmpty() {
    return intervals.isEmpty();
  }

  /** How many transactions the set holds. */
  public long count() {
    long n = 0;
    for (List<long[]> l : intervals.values()) {
      for (long[] iv : l) {
        n += iv[1] - iv[0] + 1;
      }
    }
    return n;
  }

  /** One entry per source UUID, as MySQL writes it ({@code uuid:1-5:7}). */
  public List<String> parts() {
    List<String> out = new ArrayList<>();
    intervals.forEach(
        (uuid, l) -> {
          StringBuilder sb = new StringBuilder(uuid);
          for (long[] iv : l) {
            sb.append(':').append(iv[0]);
            if (iv[1] != iv[0]) {
              sb.append('-').append(iv[1]);
            }
          }
          out.add(sb.toString());
        });
    return out;
  }

  @Override
  public String toString() {
    return String.join(",", parts());
  }
}
