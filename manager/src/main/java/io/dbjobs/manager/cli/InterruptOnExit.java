package io.dbjobs.manager.cli;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Lets a waiting command clean up when the process is asked to exit (Ctrl-C, SIGTERM): a shutdown
 * hook interrupts the command's thread, then gives it up to 20 s to cancel its job and discard what
 * it received before the JVM goes. Close it when the command returns.
 */
final class InterruptOnExit implements AutoCloseable {
  private static final long CLEANUP_SECONDS = 20;

  private final Thread hook;
  private final CountDownLatch done = new CountDownLatch(1);

  private InterruptOnExit(Thread worker) {
    this.hook =
        new Thread(
            () -> {
              worker.interrupt();
              try {
                done.await(CLEANUP_SECONDS, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "dbjobs-cleanup-on-exit");
  }

  /** Installs the hook for the calling thread. */
  static InterruptOnExit install() {
    InterruptOnExit i = new InterruptOnExit(Thread.currentThread());
    Runtime.getRuntime().addShutdownHook(i.hook);
    return i;
  }

  @Override
  public void close() {
    done.countDown();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // the JVM is already shutting down: the hook is running and sees the latch
    }
  }
}
