package io.dbjobs.agent.task.reseed;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.backup.DumpScanner;
import io.dbjobs.common.stream.StreamSink;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;

/**
 * Feeds an uncompressed SQL dump to its loader (the {@code mariadb} client, or several sessions of
 * it) while reading its position and completeness as it passes. Acknowledged only when the loader
 * finished and the dump ended with its {@code -- Dump completed} line; on abort the loader is
 * stopped and the node's old schemas are put back (the loader's clean-up).
 */
final class LogicalLoadSink implements StreamSink {
  private final StreamSink client;
  private final DumpScanner scanner = DumpScanner.observer();
  private final byte[] copy = new byte[1 << 16];

  LogicalLoadSink(StreamSink client) {
    this.client = client;
  }

  DumpScanner scanner() {
    return scanner;
  }

  @Override
  public void write(ByteBuffer data) throws IOException, InterruptedException {
    ByteBuffer view = data.duplicate();
    while (view.hasRemaining()) {
      int n = Math.min(copy.length, view.remaining());
      view.get(copy, 0, n);
      scanner.observe(copy, 0, n);
    }
    client.write(data);
  }

  @Override
  public String finish(Map<String, String> meta, long bytes, String sha256Hex)
      throws IOException, InterruptedException {
    String done = client.finish(meta, bytes, sha256Hex);
    if (!scanner.completed()) {
      throw new DbJobsException(
          ErrorCode.RESTORE_FAILED,
          "the dump does not end with its '-- Dump completed' line: it was cut at its source; nothing of it is kept");
    }
    return done;
  }

  @Override
  public void abort(String reason) {
    client.abort(reason);
  }
}
