package io.dbjobs.common.stream;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Bytes received from the network and not yet handed to a sink, summed over a listener's streams,
 * with the highest value seen. This is the receiver's only buffering that grows with the stream;
 * tests assert it stays below {@link ReceiverConnection#QUEUE_BOUND} per stream.
 */
final class QueueGauge {
  private final AtomicLong queued = new AtomicLong();
  private final AtomicLong peak = new AtomicLong();

  void add(long delta) {
    long now = queued.addAndGet(delta);
    if (delta > 0) {
      peak.accumulateAndGet(now, Math::max);
    }
  }

  long queued() {
    return queued.get();
  }

  long peak() {
    return peak.get();
  }
}
