package io.dbjobs.common.http;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;

/**
 * Logs refusals (wrong token, over a cap, timed out) as warnings, at most one line per second per
 * server; a line says how many were left out since the previous one, so a flood costs one line a
 * second, not one per connection.
 */
final class RefusalLog {
  private static final long INTERVAL_NANOS = 1_000_000_000L;

  private final Logger log;
  private final LongSupplier nanoTime;
  private final AtomicLong lastLogged;
  private final AtomicLong skipped = new AtomicLong();

  RefusalLog(Logger log, LongSupplier nanoTime) {
    this.log = log;
    this.nanoTime = nanoTime;
    this.lastLogged = new AtomicLong(nanoTime.getAsLong() - INTERVAL_NANOS);
  }

  /** Logs {@code line} unless a line was logged less than a second ago. */
  void warn(String line) {
    long now = nanoTime.getAsLong();
    long last = lastLogged.get();
    if (now - last < INTERVAL_NANOS || !lastLogged.compareAndSet(last, now)) {
      skipped.incrementAndGet();
      log.debug("{}", line);
      return;
    }
    long n = skipped.getAndSet(0);
    if (n == 0) {
      log.warn("{}", line);
    } else {
      log.warn("{} ({} more refusals not logged since the previous line)", line, n);
    }
  }
}
