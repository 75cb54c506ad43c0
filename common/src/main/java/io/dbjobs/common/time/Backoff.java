package io.dbjobs.common.time;

import java.time.Duration;

/**
 * Exponential back-off between retries: {@code initial}, doubling, capped at {@code max}. Not
 * thread-safe; one per retry loop.
 */
public final class Backoff {
  private final Duration initial;
  private final Duration max;
  private Duration next;
  private int failures;

  public Backoff(Duration initial, Duration max) {
    if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
      throw new IllegalArgumentException(
          "back-off needs 0 < initial <= max, got " + initial + ", " + max);
    }
    this.initial = initial;
    this.max = max;
    this.next = initial;
  }

  /** The delay to wait after one more failure. */
  public Duration nextDelay() {
    Duration d = next;
    failures++;
    Duration doubled = next.multipliedBy(2);
    next = doubled.compareTo(max) > 0 ? max : doubled;
    return d;
  }

  /** Consecutive failures since the last {@link #reset()}. */
  public int failures() {
    return failures;
  }

  public void reset() {
    next = initial;
    failures = 0;
  }
}
