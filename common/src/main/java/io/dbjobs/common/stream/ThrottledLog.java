package io.dbjobs.common.stream;

import io.dbjobs.common.time.Durations;
import java.time.Duration;
import java.util.function.LongSupplier;
import org.slf4j.Logger;

/**
 * WARNs about unauthenticated peers, which a flood could otherwise turn into a flood of log lines:
 * the first {@code burst} of a window are logged as they come, the rest are counted and summarised
 * in one line ("... and 3928 more refused connections in the last 10.0s; the last: ...") when the
 * window ends ({@link #flush}, which the listener runs on a timer) or at the next warning after it.
 * Thread-safe.
 */
final class ThrottledLog {
  private final Logger log;
  private final String what;
  private final int burst;
  private final long windowNanos;
  private final LongSupplier clock;
  private long windowStart;
  private int logged;
  private long suppressed;
  private String lastSuppressed;

  /**
   * @param what the plural of what is counted, for the summary ("refused connections")
   */
  ThrottledLog(Logger log, String what, int burst, Duration window, LongSupplier clock) {
    this.log = log;
    this.what = what;
    this.burst = burst;
    this.windowNanos = window.toNanos();
    this.clock = clock;
    this.windowStart = clock.getAsLong();
  }

  synchronized void warn(String message) {
    long now = clock.getAsLong();
    if (now - windowStart >= windowNanos) {
      summarise(now);
    }
    if (logged < burst) {
      logged++;
      log.warn("{}", message);
    } else {
      suppressed++;
      lastSuppressed = message;
    }
  }

  /** Ends the window if it is over: logs the summary of what was held back. */
  synchronized void flush() {
    long now = clock.getAsLong();
    if (now - windowStart >= windowNanos) {
      summarise(now);
    }
  }

  /** Logs the summary of what was held back now, window over or not (the listener closes). */
  synchronized void close() {
    summarise(clock.getAsLong());
  }

  private void summarise(long now) {
    if (suppressed > 0) {
      log.warn(
          "... and {} more {} in the last {} (not logged one by one); the last: {}",
          suppressed,
          what,
          Durations.human(Duration.ofNanos(now - windowStart)),
          lastSuppressed);
    }
    windowStart = now;
    logged = 0;
    suppressed = 0;
    lastSuppressed = null;
  }
}
