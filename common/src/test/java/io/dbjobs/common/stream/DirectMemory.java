package io.dbjobs.common.stream;

import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.internal.PlatformDependent;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Direct memory of this JVM: the JDK's direct buffer pool (every {@code ByteBuffer.allocateDirect},
 * which is how Netty allocates direct memory on Java 17 unless given reflective access, and the
 * JDK's own temporary buffers for socket I/O) plus what Netty allocated without a cleaner ({@code
 * PlatformDependent.usedDirectMemory()}, -1 when it does not). Netty's pooled chunks are counted in
 * one of the two, whichever way it allocates them.
 */
final class DirectMemory {
  private DirectMemory() {}

  static long inUse() {
    long jdk = 0;
    for (BufferPoolMXBean p : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
      if (p.getName().equals("direct")) {
        jdk += p.getMemoryUsed();
      }
    }
    return jdk + Math.max(0, PlatformDependent.usedDirectMemory());
  }

  /** Netty's pooled allocator's direct chunks, for the record. */
  static long pooled() {
    return PooledByteBufAllocator.DEFAULT.metric().usedDirectMemory();
  }

  /**
   * Samples {@link #inUse()} every 2 ms on its own thread; {@link #peak()} since the last reset.
   */
  static final class Sampler implements AutoCloseable {
    private final AtomicLong peak = new AtomicLong(inUse());
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread thread;

    Sampler() {
      thread =
          new Thread(
              () -> {
                while (running.get()) {
                  peak.accumulateAndGet(inUse(), Math::max);
                  LockSupport.parkNanos(2_000_000);
                }
              },
              "direct-memory-sampler");
      thread.setDaemon(true);
      thread.start();
    }

    /** The most seen since the start or the last reset, including now. */
    long peak() {
      return peak.accumulateAndGet(inUse(), Math::max);
    }

    /** Returns the peak so far and starts a new one. */
    long reset() {
      long p = peak();
      peak.set(inUse());
      return p;
    }

    @Override
    public void close() throws InterruptedException {
      running.set(false);
      thread.join();
    }
  }
}
