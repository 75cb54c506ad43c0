package io.dbjobs.common.time;

import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * A pause that ends early when woken: the agent's poll loop waits on one between polls, so that the
 * manager can make it look at its jobs table right after an enqueue instead of at its next poll.
 * Waking carries no authority: the agent only reads its table sooner, and verifies every row as
 * always. Wakes that arrive while nobody waits end the next pause at once (one, however many came).
 */
public final class Wakeup implements Sleeper {
  private final Semaphore signal = new Semaphore(0);

  /** Waits up to {@code duration}, or until {@link #wake} is called. */
  @Override
  public void sleep(Duration duration) throws InterruptedException {
    if (signal.tryAcquire(Math.max(0, duration.toMillis()), TimeUnit.MILLISECONDS)) {
      signal.drainPermits();
    }
  }

  /** Ends the current pause, or the next one if none is under way. */
  public void wake() {
    if (signal.availablePermits() == 0) {
      signal.release(); // racing wakes may leave two permits; the next pause drains them
    }
  }
}
