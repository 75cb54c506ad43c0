package io.dbjobs.common.stream;

import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;

/**
 * A source that yields {@code before} bytes, then blocks (as a tool that went quiet) until {@link
 * #open()}, then yields the rest; or fails instead when {@link #fail(String)} was called.
 */
final class GatedInput extends InputStream {
  private final InputStream delegate;
  private final long before;
  private final CountDownLatch gate = new CountDownLatch(1);
  final CompletableFuture<Void> reachedGate = new CompletableFuture<>();
  private volatile String failure;
  private long position;

  GatedInput(InputStream delegate, long before) {
    this.delegate = delegate;
    this.before = before;
  }

  void open() {
    gate.countDown();
  }

  void fail(String message) {
    failure = message;
    gate.countDown();
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (position >= before) {
      reachedGate.complete(null);
      try {
        gate.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new java.io.InterruptedIOException("interrupted at the gate");
      }
      if (failure != null) {
        throw new IOException(failure);
      }
    } else {
      len = (int) Math.min(len, before - position);
    }
    int n = delegate.read(b, off, len);
    if (n > 0) {
      position += n;
    }
    return n;
  }

  @Override
  public int available() {
    return 0;
  }
}
