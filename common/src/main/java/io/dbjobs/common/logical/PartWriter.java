package io.dbjobs.common.logical;

import com.github.luben.zstd.ZstdOutputStreamNoFinalizer;
import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Writes a dump's parts, from several threads at once, into one container byte stream ({@link
 * PartFormat}) read from {@link #stream()}. Each part is compressed with zstd on the thread that
 * writes it; its compressed bytes leave in DATA records of up to {@link #DATA_BYTES}. Records wait
 * in a queue of {@link #QUEUE_RECORDS}: memory is bounded (about 4 MiB plus each open part's
 * compressor) whatever the dump's size, and a slow reader slows the writers.
 *
 * <p>{@link #fail} ends the stream with an error: the reader's next read throws, and every writer
 * blocked on the queue or writing later fails.
 */
public final class PartWriter {
  static final int DATA_BYTES = 256 * 1024;
  static final int QUEUE_RECORDS = 16;

  private final BlockingQueue<byte[]> queue = new ArrayBlockingQueue<>(QUEUE_RECORDS);
  private final AtomicInteger nextId = new AtomicInteger(1);
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private final int level;
  private final Reader reader = new Reader();

  /**
   * @param level zstd level of every part (1 keeps up with a dump on one core)
   */
  public PartWriter(int level) {
    this.level = level;
  }

  /** The container's bytes; ends after {@link #end}, throws after {@link #fail}. */
  public InputStream stream() {
    return reader;
  }

  /** Opens the schema part. */
  public Part openSchema() throws IOException {
    return open(PartHeader.schema(nextId.getAndIncrement()));
  }

  /** Opens a part for one chunk of a table's rows. */
  public Part openRows(String schema, String table, int chunk, int chunks) throws IOException {
    return open(PartHeader.rows(nextId.getAndIncrement(), schema, table, chunk, chunks));
  }

  private Part open(PartHeader h) throws IOException {
    put(PartRecords.open(h));
    return new Part(h);
  }

  /** Parts opened so far. */
  public int parts() {
    return nextId.get() - 1;
  }

  /** Writes the END record; the stream ends once it is read. Every part must be closed. */
  public void end(DumpManifest m) throws IOException {
    put(PartRecords.end(m));
  }

  /** Ends the stream with {@code cause}; idempotent (the first cause wins). */
  public void fail(Throwable cause) {
    failure.compareAndSet(null, cause);
    queue.clear();
  }

  /** The cause given to {@link #fail}, or null. */
  public Throwable failure() {
    return failure.get();
  }

  private void put(byte[] record) throws IOException {
    try {
      while (!queue.offer(record, 200, TimeUnit.MILLISECONDS)) {
        checkFailed();
      }
      checkFailed();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while the dump's stream was full");
    }
  }

  /** The reader gets the dump's own failure (its code travels to the receiver). */
  private void failedForReader() throws IOException {
    Throwable f = failure.get();
    if (f instanceof DbJobsException d) {
      throw new DbJobsException(d.code(), d.getMessage(), d);
    }
    checkFailed();
  }

  private void checkFailed() throws IOException {
    Throwable f = failure.get();
    if (f != null) {
      throw new IOException("the dump's stream ended: " + DbJobsException.describe(f), f);
    }
  }

  /**
   * One part being written: raw bytes in, compressed bytes out as DATA records. Not thread-safe:
   * one part, one thread.
   */
  public final class Part extends OutputStream {
    private final PartHeader header;
    private final MessageDigest sha256 = sha256();
    private final byte[] buf = new byte[DATA_BYTES];
    private int used;
    private long compressed;
    private long raw;
    private final ZstdOutputStreamNoFinalizer zstd;
    private boolean closed;

    private Part(PartHeader header) throws IOException {
      this.header = header;
      this.zstd =
          new ZstdOutputStreamNoFinalizer(
              new OutputStream() {
                @Override
                public void write(int b) throws IOException {
                  write(new byte[] {(byte) b}, 0, 1);
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                  compressedBytes(b, off, len);
                }
              },
              level);
    }

    public PartHeader header() {
      return header;
    }

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      raw += len;
      zstd.write(b, off, len);
    }

    private void compressedBytes(byte[] b, int off, int len) throws IOException {
      sha256.update(b, off, len);
      compressed += len;
      while (len > 0) {
        int n = Math.min(len, buf.length - used);
        System.arraycopy(b, off, buf, used, n);
        used += n;
        off += n;
        len -= n;
        if (used == buf.length) {
          emit();
        }
      }
    }

    private void emit() throws IOException {
      if (used > 0) {
        put(PartRecords.record(PartFormat.DATA, header.id(), buf, 0, used));
        used = 0;
      }
    }

    /**
     * Ends the part: the rest of its zstd frame, then its CLOSE record.
     *
     * @param rows rows (or objects) it holds
     */
    public PartTrailer finish(long rows) throws IOException {
      if (closed) {
        throw new IllegalStateException("part " + header.describe() + " was already finished");
      }
      closed = true;
      zstd.close();
      emit();
      PartTrailer t =
          new PartTrailer(
              header.id(), compressed, raw, rows, HexFormat.of().formatHex(sha256.digest()));
      put(PartRecords.close(t));
      return t;
    }

    /** Releases the compressor of a part that will not be finished (the dump failed). */
    @Override
    public void close() {
      if (!closed) {
        closed = true;
        try {
          zstd.close();
        } catch (IOException e) {
          // the dump already failed; the stream carries that failure
        }
      }
    }
  }

  private final class Reader extends InputStream {
    private byte[] current = PartRecords.header();
    private int pos;
    private boolean last;

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
      while (current == null || pos == current.length) {
        if (last) {
          return -1;
        }
        current = take();
        pos = 0;
      }
      int n = Math.min(len, current.length - pos);
      System.arraycopy(current, pos, b, off, n);
      pos += n;
      return n;
    }

    @Override
    public int available() {
      return current == null ? 0 : current.length - pos;
    }

    private byte[] take() throws IOException {
      try {
        while (true) {
          failedForReader();
          byte[] r = queue.poll(200, TimeUnit.MILLISECONDS);
          if (r != null) {
            failedForReader();
            if (r[0] == PartFormat.END) {
              last = true;
            }
            return r;
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted while waiting for the dump");
      }
    }

    @Override
    public void close() {
      if (!last) {
        fail(
            new DbJobsException(
                ErrorCode.CANCELLED, "the reader of the dump's stream stopped before its end"));
      }
    }
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
