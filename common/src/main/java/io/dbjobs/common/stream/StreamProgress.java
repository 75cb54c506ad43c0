package io.dbjobs.common.stream;

import io.dbjobs.common.units.Sizes;
import java.time.Duration;

/**
 * Where a stream is, as reported to a {@link ProgressListener}.
 *
 * @param bytes uncompressed bytes so far (read from the source, or written to the sink)
 * @param sizeHint the sender's expected total, or -1 when unknown
 * @param done true on the last report of a stream that completed
 */
public record StreamProgress(
    String streamId, long bytes, long sizeHint, Duration elapsed, boolean done) {

  /** Average rate since the start, bytes per second. */
  public double bytesPerSecond() {
    long ms = Math.max(1, elapsed.toMillis());
    return bytes * 1000.0 / ms;
  }

  @Override
  public String toString() {
    return "stream "
        + streamId
        + ": "
        + Sizes.human(bytes)
        + (sizeHint >= 0 ? " of " + Sizes.human(sizeHint) : "")
        + " at "
        + Sizes.human((long) bytesPerSecond())
        + "/s";
  }
}
