package io.dbjobs.agent.task.reseed;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * A bounded hand-off of byte chunks from one thread to another, read as an {@link InputStream}. The
 * writer blocks when {@code capacity} chunks wait, so memory stays bounded.
 */
final class BytePipe extends InputStream {
  private static final byte[] EOF = new byte[0];

  private final BlockingQueue<byte[]> queue;
  private byte[] current = new byte[0];
  private int pos;
  private boolean ended;
  private volatile boolean broken;

  BytePipe(int capacity) {
    this.queue = new ArrayBlockingQueue<>(capacity);
  }

  /** Hands over a copy of {@code b[off..off+len)}; blocks while the pipe is full. */
  void put(byte[] b, int off, int len) throws IOException {
    if (broken) {
      throw new IOException("the reading side of the pipe is gone");
    }
    byte[] copy = new byte[len];
    System.arraycopy(b, off, copy, 0, len);
    try {
      queue.put(copy);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while handing over bytes");
    }
  }

  /** No more bytes: the reader sees end of stream once the queue is drained. */
  void end() throws IOException {
    try {
      queue.put(EOF);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while ending the pipe");
    }
  }

  /** The reader gave up: writers fail from now on instead of blocking forever. */
  void breakPipe() {
    broken = true;
    queue.clear();
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
    while (pos == current.length) {
      if (ended) {
        return -1;
      }
      try {
        current = queue.take();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted while waiting for bytes");
      }
      pos = 0;
      if (current == EOF) {
        ended = true;
        return -1;
      }
    }
    int n = Math.min(len, current.length - pos);
    System.arraycopy(current, pos, b, off, n);
    pos += n;
    return n;
  }
}
