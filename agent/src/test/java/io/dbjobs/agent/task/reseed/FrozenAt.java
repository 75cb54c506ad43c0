package io.dbjobs.agent.task.reseed;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A crash in a unit test: at its point, the thread that reaches it stops for good (parked, deaf to
 * interrupts), so not one more line of the code under test runs, no finally block included, as
 * after {@code kill -9}. Optionally it first makes other points fail (an I/O error, say) to lead
 * the code into the path under test.
 */
final class FrozenAt implements CrashPoints.Hook {
  private final CrashPoint point;
  private final CrashPoint failAt;
  private final CountDownLatch reached = new CountDownLatch(1);

  private FrozenAt(CrashPoint point, CrashPoint failAt) {
    this.point = point;
    this.failAt = failAt;
  }

  static FrozenAt at(CrashPoint point) {
    return new FrozenAt(point, null);
  }

  /** Freezes at {@code point}; at {@code failAt} (reached earlier) throws as an I/O error would. */
  static FrozenAt at(CrashPoint point, CrashPoint failAt) {
    return new FrozenAt(point, failAt);
  }

  CrashPoints points() {
    return CrashPoints.with(this);
  }

  @Override
  public void reached(CrashPoint p) {
    if (p == failAt) {
      throw new java.io.UncheckedIOException(
          new java.io.IOException("injected I/O error at " + p + " (test)"));
    }
    if (point == null || p != point) {
      return;
    }
    reached.countDown();
    while (true) {
      LockSupport.park(this);
    }
  }

  /**
   * Runs {@code work} on a thread of its own and returns once it froze at the point.
   *
   * @throws AssertionError when the work ended (or failed) without reaching the point
   */
  void runUntilFrozen(ThrowingRunnable work, Duration timeout) throws InterruptedException {
    Throwable[] failure = new Throwable[1];
    Thread t =
        new Thread(
            () -> {
              try {
                work.run();
              } catch (Throwable e) {
                failure[0] = e;
              }
            },
            "frozen-at-" + point);
    t.setDaemon(true);
    t.start();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!reached.await(20, TimeUnit.MILLISECONDS)) {
      if (!t.isAlive()) {
        throw new AssertionError(
            "the code ended without reaching crash point " + point, failure[0]);
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("crash point " + point + " not reached within " + timeout);
      }
    }
  }

  /** Work that may throw anything. */
  @FunctionalInterface
  interface ThrowingRunnable {
    void run() throws Exception;
  }
}
