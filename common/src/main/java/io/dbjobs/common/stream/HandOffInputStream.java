package io.dbjobs.common.stream;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.stream.WireMessage.Data;
import io.dbjobs.common.stream.WireMessage.Trailer;
import java.io.InputStream;

/**
 * The compressed bytes of a stream as an {@link InputStream}, read from a {@link HandOff} on the
 * sink worker's thread; end of file is the TRAILER. A failure recorded in the hand-off surfaces as
 * {@link HandOff.Failed} from {@code read}.
 */
final class HandOffInputStream extends InputStream {
  private final HandOff handOff;
  private final Runnable onTake;
  private Data current;
  private Trailer trailer;
  private long wireBytes;

  /**
   * @param onTake called after each DATA taken from the hand-off (lets the network thread resume)
   */
  HandOffInputStream(HandOff handOff, Runnable onTake) {
    this.handOff = handOff;
    this.onTake = onTake;
  }

  @Override
  public int read() {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) {
    if (len == 0) {
      return 0;
    }
    while (current == null || !current.content().isReadable()) {
      releaseCurrent();
      if (trailer != null || !takeNext()) {
        return -1;
      }
    }
    int n = Math.min(len, current.content().readableBytes());
    current.content().readBytes(b, off, n);
    return n;
  }

  /** Takes the next item; false when it is the trailer. */
  private boolean takeNext() {
    WireMessage m = handOff.take();
    if (m instanceof Trailer t) {
      trailer = t;
      return false;
    }
    current = (Data) m;
    wireBytes += current.content().readableBytes();
    onTake.run();
    return true;
  }

  /**
   * After the decompressor reported the end of its stream: the trailer, provided no DATA bytes
   * follow the end of the compressed stream.
   *
   * @throws DbJobsException DIGEST_MISMATCH when bytes follow the end of the compressed stream
   */
  Trailer trailerAfterEnd(String streamId) {
    long extra = 0;
    if (current != null) {
      extra += current.content().readableBytes();
      releaseCurrent();
    }
    while (trailer == null) {
      if (takeNext()) {
        extra += current.content().readableBytes();
        releaseCurrent();
      }
    }
    if (extra > 0) {
      throw new DbJobsException(
          ErrorCode.DIGEST_MISMATCH,
          "stream "
              + streamId
              + ": "
              + extra
              + " bytes of DATA follow the end of the compressed stream; the data is corrupt");
    }
    return trailer;
  }

  /** DATA payload bytes taken so far. */
  long wireBytes() {
    return wireBytes;
  }

  @Override
  public void close() {
    releaseCurrent();
  }

  private void releaseCurrent() {
    if (current != null) {
      current.release();
      current = null;
    }
  }
}
