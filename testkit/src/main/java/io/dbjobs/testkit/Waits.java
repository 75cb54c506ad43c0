package io.dbjobs.testkit;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Waiting for a condition in tests: polls the condition, never sleeps a fixed time and hopes. Fails
 * with the description and the last observed value when the deadline passes.
 */
public final class Waits {
  private Waits() {}

  /** Waits until {@code condition} holds; fails after {@code timeout} naming {@code what}. */
  public static void until(String what, Duration timeout, BooleanSupplier condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            "timed out after " + timeout.toMillis() + " ms waiting for " + what);
      }
      pause(Duration.ofMillis(50));
    }
  }

  /**
   * Waits until {@code probe} returns a value that {@code done} accepts, and returns it; the
   * failure shows the last value seen.
   */
  public static <T> T until(
      String what, Duration timeout, Supplier<T> probe, java.util.function.Predicate<T> done) {
    long deadline = System.nanoTime() + timeout.toNanos();
    T last = probe.get();
    while (!done.test(last)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            "timed out after "
                + timeout.toMillis()
                + " ms waiting for "
                + what
                + "; last seen: "
                + last);
      }
      pause(Duration.ofMillis(50));
      last = probe.get();
    }
    return last;
  }

  static void pause(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting", e);
    }
  }
}
