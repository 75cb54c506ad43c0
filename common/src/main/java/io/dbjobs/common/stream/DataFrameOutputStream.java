package io.dbjobs.common.stream;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.io.OutputStream;
import java.util.function.Consumer;

/**
 * Collects the (compressed) byte stream into DATA payloads of at most {@code chunkBytes} and hands
 * each full one to the writer, which blocks until the channel can take it. {@link #flush()} hands
 * over a partial payload. After {@link #discard()} everything written is dropped (the stream failed
 * and the compressor is being closed).
 */
final class DataFrameOutputStream extends OutputStream {
  private final ByteBufAllocator alloc;
  private final int chunkBytes;
  private final Consumer<ByteBuf> writer;
  private ByteBuf current;
  private boolean discarding;

  DataFrameOutputStream(ByteBufAllocator alloc, int chunkBytes, Consumer<ByteBuf> writer) {
    this.alloc = alloc;
    this.chunkBytes = chunkBytes;
    this.writer = writer;
  }

  @Override
  public void write(int b) {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] b, int off, int len) {
    if (discarding) {
      return;
    }
    while (len > 0) {
      if (current == null) {
        current = alloc.directBuffer(chunkBytes, chunkBytes);
      }
      int n = Math.min(len, current.writableBytes());
      current.writeBytes(b, off, n);
      off += n;
      len -= n;
      if (!current.isWritable()) {
        emit();
      }
    }
  }

  @Override
  public void flush() {
    if (current != null && current.isReadable() && !discarding) {
      emit();
    }
  }

  @Override
  public void close() {
    flush();
    if (current != null) {
      current.release();
      current = null;
    }
  }

  void discard() {
    discarding = true;
    if (current != null) {
      current.release();
      current = null;
    }
  }

  private void emit() {
    ByteBuf frame = current;
    current = null;
    writer.accept(frame);
  }
}
