package io.dbjobs.manager.schedule;

import java.time.Instant;
import java.util.Date;
import org.quartz.CronExpression;

/**
 * The cron time a fire belongs to: the latest time of the expression at or before the fire's
 * scheduled time. For an on-time fire that is its own time; for a late (misfired) one, the time it
 * missed. Runs are keyed by it.
 */
final class CronSlots {
  private static final long MAX_LOOKBACK_MILLIS = 400L * 24 * 3600 * 1000;

  private CronSlots() {}

  /** The latest time of {@code cron} at or before {@code t}; null when none within 400 days. */
  static Instant latestAtOrBefore(CronExpression cron, Instant t) {
    Date limit = Date.from(t);
    for (long span = 60_000; span <= MAX_LOOKBACK_MILLIS * 4; span *= 4) {
      Date first = cron.getTimeAfter(Date.from(t.minusMillis(Math.min(span, MAX_LOOKBACK_MILLIS))));
      if (first != null && !first.after(limit)) {
        Date cur = first;
        while (true) {
          Date next = cron.getTimeAfter(cur);
          if (next == null || next.after(limit)) {
            return cur.toInstant();
          }
          cur = next;
        }
      }
      if (span >= MAX_LOOKBACK_MILLIS) {
        return null;
      }
    }
    return null;
  }
}
