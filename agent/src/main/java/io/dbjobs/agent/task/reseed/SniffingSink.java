package io.dbjobs.agent.task.reseed;

import io.dbjobs.common.logical.PartFormat;
import io.dbjobs.common.stream.StreamSink;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;

/**
 * Chooses a logical load by what the stream's first bytes are: a parallel dump's part container
 * ({@code DBJPARTS}) goes to one sink, anything else (a plain, gzip or zstd SQL dump) to the other.
 * The chosen sink is opened only then.
 *
 * <p>An abort after a failed open: the opener must have cleaned up what it opened.
 */
final class SniffingSink implements StreamSink {
  /** Opens a sink once the format is known. */
  @FunctionalInterface
  interface Opener {
    StreamSink open() throws IOException;
  }

  private final Opener parts;
  private final Opener sql;
  private final Runnable abortUnopened;
  private final byte[] head = new byte[PartFormat.MAGIC.length];
  private int headLen;
  private StreamSink target;
  private boolean aborted;

  /**
   * @param abortUnopened what an abort before the format is known does (the chosen sink's abort
   *     does it otherwise)
   */
  SniffingSink(Opener parts, Opener sql, Runnable abortUnopened) {
    this.parts = parts;
    this.sql = sql;
    this.abortUnopened = abortUnopened;
  }

  @Override
  public void write(ByteBuffer data) throws IOException, InterruptedException {
    if (target == null) {
      while (headLen < head.length && data.hasRemaining()) {
        head[headLen++] = data.get();
      }
      if (headLen < head.length) {
        return;
      }
      choose();
    }
    if (data.hasRemaining()) {
      target.write(data);
    }
  }

  private void choose() throws IOException, InterruptedException {
    target = PartFormat.isContainer(head, headLen) ? parts.open() : sql.open();
    target.write(ByteBuffer.wrap(head, 0, headLen));
  }

  @Override
  public String finish(Map<String, String> meta, long bytes, String sha256Hex)
      throws IOException, InterruptedException {
    if (target == null) {
      choose();
    }
    return target.finish(meta, bytes, sha256Hex);
  }

  @Override
  public void abort(String reason) {
    if (aborted) {
      return;
    }
    aborted = true;
    if (target != null) {
      target.abort(reason);
    } else {
      abortUnopened.run();
    }
  }
}
