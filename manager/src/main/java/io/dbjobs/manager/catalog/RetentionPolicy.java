package io.dbjobs.manager.catalog;

import io.dbjobs.common.config.ConfigTree;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.IsoFields;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which backups of one node and type to keep: the last {@code keepLast}, plus the newest of each of
 * the last {@code keepDaily} days, plus the newest of each of the last {@code keepWeekly} ISO weeks
 * (days and weeks in UTC, counted back from now, today and this week included). The newest good
 * backup is always kept, whatever the numbers say: retention never leaves a node without a
 * restorable backup. A backup whose last verification failed is not good: it counts for nothing and
 * is deleted.
 *
 * <p>Read from {@code catalog.retention} in {@code manager.yml}:
 *
 * <ul>
 *   <li>{@code catalog.retention.keepLast}: default {@value #DEFAULT_KEEP_LAST}, at least 1.
 *   <li>{@code catalog.retention.keepDaily}: default {@value #DEFAULT_KEEP_DAILY} days; 0 turns
 *       daily backups off.
 *   <li>{@code catalog.retention.keepWeekly}: default {@value #DEFAULT_KEEP_WEEKLY} weeks; 0 turns
 *       weekly backups off.
 * </ul>
 *
 * Applied per node and type after each successful backup, and by {@code dbjobs backups prune}.
 */
public record RetentionPolicy(int keepLast, int keepDaily, int keepWeekly) {
  public static final int DEFAULT_KEEP_LAST = 3;
  public static final int DEFAULT_KEEP_DAILY = 7;
  public static final int DEFAULT_KEEP_WEEKLY = 4;

  public RetentionPolicy {
    if (keepLast < 1 || keepDaily < 0 || keepWeekly < 0) {
      throw new IllegalArgumentException(
          "retention needs keepLast >= 1, keepDaily >= 0, keepWeekly >= 0");
    }
  }

  public static RetentionPolicy defaults() {
    return new RetentionPolicy(DEFAULT_KEEP_LAST, DEFAULT_KEEP_DAILY, DEFAULT_KEEP_WEEKLY);
  }

  /** Reads the {@code catalog.retention} section; problems go to the tree's problem list. */
  public static RetentionPolicy read(ConfigTree t) {
    return new RetentionPolicy(
        t.integer("keepLast", DEFAULT_KEEP_LAST, 1, 100_000),
        t.integer("keepDaily", DEFAULT_KEEP_DAILY, 0, 3660),
        t.integer("keepWeekly", DEFAULT_KEEP_WEEKLY, 0, 520));
  }

  /**
   * What to do with one backup.
   *
   * @param reasons why it is kept (e.g. "last 3", "daily 2026-11-20"), or why it goes
   */
  public record Decision(BackupEntry entry, boolean keep, List<String> reasons) {
    public Decision {
      reasons = List.copyOf(reasons);
    }
  }

  /**
   * Decides about complete backups of one node and one type; incomplete ones are ignored (they are
   * pruned by age elsewhere).
   *
   * @return one decision per complete backup, newest first
   */
  public List<Decision> decide(List<BackupEntry> backups, Instant now) {
    List<BackupEntry> all =
        backups.stream()
            .filter(BackupEntry::complete)
            .sorted(
                Comparator.comparing(BackupEntry::time).thenComparing(BackupEntry::id).reversed())
            .toList();
    List<BackupEntry> good = all.stream().filter(BackupEntry::good).toList();
    Map<BackupEntry, List<String>> why = new IdentityHashMap<>();
    if (!good.isEmpty()) {
      add(why, good.get(0), "newest good backup");
    }
    for (int i = 0; i < Math.min(keepLast, good.size()); i++) {
      add(why, good.get(i), "last " + keepLast);
    }
    LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
    for (int d = 0; d < keepDaily; d++) {
      LocalDate day = today.minusDays(d);
      for (BackupEntry e : good) {
        if (day(e).equals(day)) {
          add(why, e, "daily " + day);
          break;
        }
      }
    }
    LocalDate monday = today.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
    for (int w = 0; w < keepWeekly; w++) {
      LocalDate start = monday.minusWeeks(w);
      LocalDate end = start.plusWeeks(1);
      for (BackupEntry e : good) {
        LocalDate d = day(e);
        if (!d.isBefore(start) && d.isBefore(end)) {
          add(
              why,
              e,
              "weekly "
                  + start.get(IsoFields.WEEK_BASED_YEAR)
                  + "-W"
                  + String.format(
                      java.util.Locale.ROOT, "%02d", start.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR)));
          break;
        }
      }
    }
    List<Decision> out = new ArrayList<>();
    for (BackupEntry e : all) {
      List<String> reasons = why.get(e);
      if (reasons != null) {
        out.add(new Decision(e, true, reasons));
      } else if (!e.good()) {
        out.add(
            new Decision(
                e,
                false,
                List.of(
                    "failed verification on "
                        + e.verification().checkedAt()
                        + ": not restorable")));
      } else {
        out.add(new Decision(e, false, List.of("outside retention (" + describe() + ")")));
      }
    }
    return out;
  }

  /** "last 3, 7 daily, 4 weekly". */
  public String describe() {
    return "last " + keepLast + ", " + keepDaily + " daily, " + keepWeekly + " weekly";
  }

  private static LocalDate day(BackupEntry e) {
    return LocalDate.ofInstant(e.time(), ZoneOffset.UTC);
  }

  private static void add(Map<BackupEntry, List<String>> why, BackupEntry e, String reason) {
    why.computeIfAbsent(e, k -> new ArrayList<>()).add(reason);
  }
}
