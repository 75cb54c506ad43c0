package io.dbjobs.common.stream;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;

/**
 * Where a received stream goes: a file, {@code mbstream -x}'s stdin, the mysql client. A listener
 * calls these methods on one worker thread per stream, never on a network thread, one at a time:
 * any number of {@link #write}s, then either {@link #finish} or {@link #abort}. The stream is
 * acknowledged to the sender only when {@code finish} returned.
 *
 * <p>A sink that pipes into a tool writes to its stdin in {@code write}, closes stdin and waits for
 * the exit status in {@code finish} (throwing when it is not 0), and kills it in {@code abort}.
 */
public interface StreamSink {
  /**
   * Stores the next uncompressed bytes. Must consume all remaining bytes of {@code data}; the
   * buffer is only valid during the call. Blocking here is how back-pressure reaches the sender: a
   * slow sink slows the socket.
   *
   * @throws IOException or any exception: the stream fails with SINK_FAILED (or the code of a
   *     thrown {@link io.dbjobs.common.DbJobsException}) and {@link #abort} follows
   */
  void write(ByteBuffer data) throws IOException, InterruptedException;

  /**
   * All bytes arrived and their count and SHA-256 match the sender's trailer: make the result
   * durable and visible (fsync, rename, wait for the tool).
   *
   * @param meta the sender's trailer metadata (e.g. GTID position, tool version)
   * @param bytes uncompressed bytes written
   * @param sha256Hex their SHA-256, lowercase hex
   * @return a short message for the sender's ACK, e.g. a catalog id or the stored path
   * @throws IOException or any exception: the sender gets a NACK with this message, and {@link
   *     #abort} follows
   */
  String finish(Map<String, String> meta, long bytes, String sha256Hex)
      throws IOException, InterruptedException;

  /**
   * The stream failed (cut, digest mismatch, timeout, sender ABORT, cancel, listener closed, or a
   * failed {@code write}/{@code finish}): remove everything written so far and release resources.
   * Leaves nothing half-written. Must not throw; may be called after a failed {@code finish}. The
   * worker thread's interrupt flag is cleared before the call.
   */
  void abort(String reason);
}
