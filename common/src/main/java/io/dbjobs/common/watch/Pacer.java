package io.dbjobs.common.watch;

import java.time.Duration;

/**
 * The pause between two reads of a watched job, which a {@link #wake()} cuts short (a stream that
 * completed, a sender that failed): waiting is a poll only where nothing can tell it to look now.
 */
public class Pacer {
  private final Object lock = new Object();
  private boolean woken;

  /** Waits up to {@code d}, or less when {@link #wake()} was called meanwhile (or before). */
  public void pause(Duration d) throws InterruptedException {
    long until = System.nanoTime() + d.toNanos();
    synchronized (lock) {
      while (!woken) {
        long left = until - System.nanoTime();
        if (left <= 0) {
          break;
        }
        lock.wait(Math.max(1, left / 1_000_000), 0);
      }
      woken = false;
    }
  }

  /** Ends the current (or next) pause at once. */
  public void wake() {
    synchronized (lock) {
      woken = true;
      lock.notifyAll();
    }
  }
}
