package io.dbjobs.bench;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Samples a child process every 100 ms on a daemon thread until it exits: its peak RSS (the
 * kernel's VmHWM) and the most threads it had at once.
 */
final class ProcessSampler {
  private final AtomicLong peakKib = new AtomicLong();
  private final AtomicLong peakThreads = new AtomicLong();

  private ProcessSampler() {}

  /** Starts sampling {@code process}; the thread ends with the process. */
  static ProcessSampler start(Process process) {
    ProcessSampler s = new ProcessSampler();
    Thread sampler =
        new Thread(
            () -> {
              while (process.isAlive()) {
                s.peakKib.accumulateAndGet(Proc.peakRss(process.pid()), Math::max);
                s.peakThreads.accumulateAndGet(Proc.threads(process.pid()), Math::max);
                try {
                  Thread.sleep(100);
                } catch (InterruptedException e) {
                  return;
                }
              }
            },
            "rss-" + process.pid());
    sampler.setDaemon(true);
    sampler.start();
    return s;
  }

  /** The highest VmHWM seen, in KiB. */
  long peakRssKib() {
    return peakKib.get();
  }

  /** The most threads seen at one sample. */
  long peakThreads() {
    return peakThreads.get();
  }
}
