package io.dbjobs.common.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbjobs.common.units.Sizes;
import io.dbjobs.testkit.Waits;
import io.netty.buffer.PooledByteBufAllocator;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Back-pressure end to end: a sender that could go at loopback speed, a sink that first stalls and
 * then is slow, and a stream far larger than anything either side may buffer.
 */
class BoundedMemoryTest extends StreamFixture {
  private static final long STREAM_BYTES = 256L << 20;
  private static final long STALL_AFTER = 8L << 20;

  /**
   * While the sink is stalled the sender may run ahead by the receiver's queue, the sender's write
   * buffer and what the kernel buffers on loopback; far less than the stream.
   */
  private static final long MAX_AHEAD_WHILE_STALLED = 48L << 20;

  /** Netty's pooled direct memory for both ends together, a few 4 MiB chunks. */
  private static final long MAX_DIRECT_MEMORY = 64L << 20;

  @Test
  void slowSinkHoldsTheSenderBackAndMemoryStaysBounded() throws Exception {
    StreamListener listener = listener(fast());
    String secret = StreamSecret.mint();
    // about 200 MB/s once released: slower than the sender on loopback
    RecordingSink sink = new RecordingSink().blockAfter(STALL_AFTER).slow(5_000_000);
    ExpectedStream expected = listener.expect("big", secret, sink);
    GeneratedInput source = GeneratedInput.random(STREAM_BYTES, 21);
    MemorySampler sampler = new MemorySampler(listener);
    CompletableFuture<SendResult> sent =
        sendAsync(
            () ->
                sender.send(
                    target(listener, "big", secret),
                    source,
                    STREAM_BYTES,
                    SourceCompletion.none(),
                    fast(),
                    ProgressListener.NONE));

    // stalled sink: the receiver stops reading once its queue is full, and the sender stops
    sink.blocked.get(20, TimeUnit.SECONDS);
    Waits.until(
        "the receiver to stop reading (queue at its limit)",
        WAIT,
        () -> listener.queuedBytes() >= ReceiverConnection.HANDOFF_LIMIT);
    long stalledAt = sink.written.get();
    long deadline = System.nanoTime() + Duration.ofMillis(500).toNanos();
    while (System.nanoTime() < deadline) {
      assertThat(source.consumed() - stalledAt)
          .as("bytes the sender read beyond what the stalled sink took")
          .isLessThanOrEqualTo(MAX_AHEAD_WHILE_STALLED);
      Thread.onSpinWait();
    }
    assertThat(source.consumed()).isLessThan(STREAM_BYTES / 4);
    long aheadWhileStalled = source.consumed() - stalledAt;

    // released but slow: everything arrives, the queue never exceeds its bound
    sink.release();
    SendResult result = sent.get(60, TimeUnit.SECONDS);
    ReceiveResult received = expected.await(WAIT);
    sampler.stop();

    LoggerFactory.getLogger(BoundedMemoryTest.class)
        .info(
            "while the sink stalled the sender read {} ahead; peak queue {} (bound {}), peak pooled"
                + " direct memory {}",
            Sizes.human(aheadWhileStalled),
            Sizes.human(listener.peakQueuedBytes()),
            Sizes.human(ReceiverConnection.QUEUE_BOUND),
            Sizes.human(sampler.peakDirect.get()));
    assertThat(result.bytes()).isEqualTo(STREAM_BYTES);
    assertThat(received.sha256Hex()).isEqualTo(result.sha256Hex());
    assertThat(sink.written.get()).isEqualTo(STREAM_BYTES);
    assertThat(listener.peakQueuedBytes())
        .as("most DATA bytes ever queued for the sink")
        .isPositive()
        .isLessThanOrEqualTo(ReceiverConnection.QUEUE_BOUND);
    assertThat(sampler.peakQueued.get()).isLessThanOrEqualTo(ReceiverConnection.QUEUE_BOUND);
    assertThat(sampler.peakDirect.get())
        .as("pooled direct memory in use")
        .isLessThanOrEqualTo(MAX_DIRECT_MEMORY);
  }

  /** Samples the receiver's queue and Netty's pooled direct memory every few milliseconds. */
  private static final class MemorySampler {
    final AtomicLong peakQueued = new AtomicLong();
    final AtomicLong peakDirect = new AtomicLong();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread thread;

    MemorySampler(StreamListener listener) {
      thread =
          new Thread(
              () -> {
                while (running.get()) {
                  peakQueued.accumulateAndGet(listener.queuedBytes(), Math::max);
                  peakDirect.accumulateAndGet(
                      PooledByteBufAllocator.DEFAULT.metric().usedDirectMemory(), Math::max);
                  java.util.concurrent.locks.LockSupport.parkNanos(2_000_000);
                }
              },
              "memory-sampler");
      thread.setDaemon(true);
      thread.start();
    }

    void stop() throws InterruptedException {
      running.set(false);
      thread.join();
    }
  }
}
