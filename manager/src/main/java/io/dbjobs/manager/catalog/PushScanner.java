package io.dbjobs.manager.catalog;

import io.dbjobs.common.backup.BackupPosition;
import io.dbjobs.common.backup.DumpScanner;
import io.dbjobs.common.backup.XbstreamScanner;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Map;

/**
 * Feeds bytes pushed by a sink ({@link #feed}) through an {@link XbstreamScanner} or a {@link
 * DumpScanner}, so the backup's own position and completeness are known when the stream ends,
 * without reading the stored file again.
 */
public final class PushScanner {
  private ByteBuffer current = ByteBuffer.allocate(0);
  private final byte[] scratch = new byte[64 * 1024];
  private final XbstreamScanner xbstream;
  private final DumpScanner dump;
  private final FilterInputStream scanner;

  private PushScanner(boolean isXbstream) {
    InputStream source =
        new InputStream() {
          @Override
          public int read() {
            return current.hasRemaining() ? current.get() & 0xff : -1;
          }

          @Override
          public int read(byte[] b, int off, int len) {
            if (!current.hasRemaining()) {
              return -1;
            }
            int n = Math.min(len, current.remaining());
            current.get(b, off, n);
            return n;
          }
        };
    xbstream = isXbstream ? new XbstreamScanner(source) : null;
    dump = isXbstream ? null : new DumpScanner(source);
    scanner = isXbstream ? xbstream : dump;
  }

  public static PushScanner xbstream() {
    return new PushScanner(true);
  }

  /** For an uncompressed SQL dump. */
  public static PushScanner dump() {
    return new PushScanner(false);
  }

  /**
   * Looks at the bytes of {@code data} without consuming them.
   *
   * @throws io.dbjobs.common.DbJobsException STREAM_PROTOCOL when the bytes are not an xbstream
   */
  public void feed(ByteBuffer data) throws IOException {
    current = data.duplicate();
    while (current.hasRemaining()) {
      if (scanner.read(scratch, 0, Math.min(scratch.length, current.remaining())) <= 0) {
        break;
      }
    }
  }

  public boolean isXbstream() {
    return xbstream != null;
  }

  /** The position the bytes name, or unknown. */
  public BackupPosition position() {
    return xbstream != null ? xbstream.position() : dump.position();
  }

  /** Whether what went through is whole: ends on a chunk boundary, or with "-- Dump completed". */
  public boolean complete() {
    return xbstream != null ? xbstream.endedCleanly() && xbstream.chunks() > 0 : dump.completed();
  }

  /** The key = value lines of {@code xtrabackup_info}; empty for dumps. */
  public Map<String, String> info() {
    return xbstream != null ? xbstream.info() : Map.of();
  }

  /** What makes it incomplete, for messages. */
  public String incompleteReason() {
    if (xbstream != null) {
      return xbstream.chunks() == 0
          ? "the xbstream holds no chunk at all"
          : "the xbstream is cut short: it does not end on a chunk boundary (after "
              + xbstream.chunks()
              + " chunks)";
    }
    return "the dump does not end with '-- Dump completed': mariadb-dump/mysqldump did not finish";
  }
}
