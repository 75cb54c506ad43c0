package io.dbjobs.common.stream;

import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Calls a {@link ProgressListener} at most every 250 ms, and shields the stream from its bugs. */
final class ProgressThrottle {
  static final long INTERVAL_NANOS = Duration.ofMillis(250).toNanos();
  private static final Logger LOG = LoggerFactory.getLogger(ProgressThrottle.class);

  private final ProgressListener listener;
  private final String streamId;
  private final long sizeHint;
  private final long startNanos;
  private long lastNanos;
  private boolean warned;

  ProgressThrottle(ProgressListener listener, String streamId, long sizeHint, long startNanos) {
    this.listener = listener == null ? ProgressListener.NONE : listener;
    this.streamId = streamId;
    this.sizeHint = sizeHint;
    this.startNanos = startNanos;
    this.lastNanos = startNanos;
  }

  void update(long bytes) {
    long now = System.nanoTime();
    if (now - lastNanos >= INTERVAL_NANOS) {
      lastNanos = now;
      report(bytes, now, false);
    }
  }

  void done(long bytes) {
    report(bytes, System.nanoTime(), true);
  }

  private void report(long bytes, long now, boolean done) {
    try {
      listener.onProgress(
          new StreamProgress(streamId, bytes, sizeHint, Duration.ofNanos(now - startNanos), done));
    } catch (RuntimeException e) {
      if (!warned) {
        warned = true;
        LOG.warn(
            "progress listener of stream {} threw; the stream goes on (further failures are not"
                + " logged)",
            streamId,
            e);
      }
    }
  }
}
