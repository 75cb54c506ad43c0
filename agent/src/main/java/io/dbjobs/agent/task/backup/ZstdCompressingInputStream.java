package io.dbjobs.agent.task.backup;

import com.github.luben.zstd.ZstdOutputStreamNoFinalizer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Reads {@code in} and yields it compressed as one zstd frame, pulled by the reader: each read
 * compresses the next piece of input, so no thread and no pipe sit in between and memory stays at
 * one input buffer plus what zstd emits for it (with workers, up to a few jobs of some MiB). The
 * frame carries a content checksum. Closing it releases the compressor; it does not close {@code
 * in}.
 */
final class ZstdCompressingInputStream extends InputStream {
  private static final int INPUT_BUFFER = 256 << 10;

  private final InputStream in;
  private final byte[] input = new byte[INPUT_BUFFER];
  private final Pending pending = new Pending();
  private final ZstdOutputStreamNoFinalizer zstd;
  private boolean inputEnded;
  private boolean closed;
  private long bytesIn;

  /**
   * @param level zstd level (1 fastest; 3 is zstd's default)
   * @param workers compression threads besides the reader's (0: compress on the reader's thread)
   */
  ZstdCompressingInputStream(InputStream in, int level, int workers) throws IOException {
    this.in = in;
    this.zstd = new ZstdOutputStreamNoFinalizer(pending, level);
    zstd.setChecksum(true);
    if (workers > 0) {
      zstd.setWorkers(workers);
    }
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (len == 0) {
      return 0;
    }
    while (pending.remaining() == 0) {
      if (inputEnded) {
        return -1;
      }
      pending.clear();
      int n = in.read(input, 0, input.length);
      if (n < 0) {
        inputEnded = true;
        closed = true;
        zstd.close(); // ends the frame into pending; pending's close does nothing
      } else if (n > 0) {
        bytesIn += n;
        zstd.write(input, 0, n);
      }
    }
    return pending.take(b, off, len);
  }

  /** Compressed bytes ready now (the reader flushes its frames when this is 0). */
  @Override
  public int available() {
    return pending.remaining();
  }

  /** Uncompressed bytes read from {@code in} so far. */
  long bytesIn() {
    return bytesIn;
  }

  /** Bytes the buffer of compressed output holds room for (it grows to zstd's largest burst). */
  int bufferCapacity() {
    return pending.capacity();
  }

  @Override
  public void close() throws IOException {
    if (!closed) {
      closed = true;
      zstd.close();
    }
  }

  /** Where zstd writes: a reusable buffer read from the front. */
  private static final class Pending extends ByteArrayOutputStream {
    private int readPos;

    Pending() {
      super(INPUT_BUFFER);
    }

    int remaining() {
      return count - readPos;
    }

    int capacity() {
      return buf.length;
    }

    int take(byte[] b, int off, int len) {
      int k = Math.min(len, remaining());
      System.arraycopy(buf, readPos, b, off, k);
      readPos += k;
      return k;
    }

    void clear() {
      reset();
      readPos = 0;
    }
  }
}
