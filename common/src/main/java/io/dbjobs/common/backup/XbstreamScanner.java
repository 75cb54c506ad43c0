package io.dbjobs.common.backup;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Passes an xbstream (mariadb-backup/xtrabackup {@code --stream=xbstream}) through unchanged while
 * parsing its chunk headers, so the backup's position ({@code xtrabackup_binlog_info}) and tool
 * facts ({@code xtrabackup_info}) are known when the stream ends, without storing the stream.
 *
 * <p>Chunk layout: magic {@code XBSTCK01}, flags (1), type (1: P payload, S sparse, E end of file),
 * path length (4, little endian), path, [sparse map size (4), for S], payload length (8), payload
 * offset (8), checksum (4), [sparse map: 8 bytes per entry, for S], payload.
 */
public final class XbstreamScanner extends FilterInputStream {
  private static final byte[] MAGIC = "XBSTCK01".getBytes(StandardCharsets.US_ASCII);
  private static final Set<String> INTERESTING =
      Set.of(
          "xtrabackup_binlog_info",
          "mariadb_backup_binlog_info",
          "xtrabackup_info",
          "mariadb_backup_info");
  private static final int MAX_CAPTURE = 64 * 1024;

  private enum State {
    MAGIC,
    FLAGS_TYPE,
    PATH_LEN,
    PATH,
    SPARSE_SIZE,
    LENGTHS,
    SPARSE_MAP,
    PAYLOAD
  }

  private State state = State.MAGIC;
  private final byte[] header = new byte[20];
  private int filled;
  private char type;
  private int pathLen;
  private byte[] path;
  private long sparseBytes;
  private long payloadLeft;
  private String currentPath;
  private StringBuilder capture;
  private final Map<String, StringBuilder> captured = new HashMap<>();
  private long offset;
  private long chunks;

  public XbstreamScanner(InputStream in) {
    super(in);
  }

  @Override
  public int read() throws IOException {
    int b = in.read();
    if (b >= 0) {
      feed(new byte[] {(byte) b}, 0, 1);
    }
    return b;
  }

  @Override
  public int read(byte[] buf, int off, int len) throws IOException {
    int n = in.read(buf, off, len);
    if (n > 0) {
      feed(buf, off, n);
    }
    return n;
  }

  @Override
  public long skip(long n) {
    throw new UnsupportedOperationException("an xbstream being scanned cannot be skipped");
  }

  private void feed(byte[] b, int off, int len) {
    int i = off;
    int end = off + len;
    while (i < end) {
      switch (state) {
        case MAGIC -> {
          byte want = MAGIC[filled];
          if (b[i] != want) {
            throw notXbstream();
          }
          i++;
          offset++;
          if (++filled == MAGIC.length) {
            next(State.FLAGS_TYPE, 2);
          }
        }
        case PAYLOAD -> {
          int take = (int) Math.min(payloadLeft, end - i);
          if (capture != null && capture.length() < MAX_CAPTURE) {
            capture.append(
                new String(
                    b, i, Math.min(take, MAX_CAPTURE - capture.length()), StandardCharsets.UTF_8));
          }
          i += take;
          offset += take;
          payloadLeft -= take;
          if (payloadLeft == 0) {
            chunkDone();
          }
        }
        case SPARSE_MAP -> {
          int take = (int) Math.min(sparseBytes, end - i);
          i += take;
          offset += take;
          sparseBytes -= take;
          if (sparseBytes == 0) {
            startPayload();
          }
        }
        case PATH -> {
          int take = Math.min(pathLen - filled, end - i);
          System.arraycopy(b, i, path, filled, take);
          filled += take;
          i += take;
          offset += take;
          if (filled == pathLen) {
            currentPath = new String(path, StandardCharsets.UTF_8);
            if (type == 'E') {
              chunkDone();
            } else if (type == 'S') {
              next(State.SPARSE_SIZE, 4);
            } else {
              next(State.LENGTHS, 20);
            }
          }
        }
        default -> {
          header[filled++] = b[i++];
          offset++;
          if (filled == need(state)) {
            headerDone();
          }
        }
      }
    }
  }

  private static int need(State s) {
    return switch (s) {
      case FLAGS_TYPE -> 2;
      case PATH_LEN, SPARSE_SIZE -> 4;
      case LENGTHS -> 20;
      default -> throw new IllegalStateException(s.name());
    };
  }

  private void headerDone() {
    switch (state) {
      case FLAGS_TYPE -> {
        type = (char) header[1];
        if (type != 'P' && type != 'S' && type != 'E') {
          throw notXbstream();
        }
        next(State.PATH_LEN, 4);
      }
      case PATH_LEN -> {
        pathLen = (int) le(0, 4);
        if (pathLen <= 0 || pathLen > 4096) {
          throw notXbstream();
        }
        path = new byte[pathLen];
        next(State.PATH, pathLen);
      }
      case SPARSE_SIZE -> {
        sparseBytes = le(0, 4) * 8;
        next(State.LENGTHS, 20);
      }
      case LENGTHS -> {
        payloadLeft = le(0, 8);
        if (payloadLeft < 0) {
          throw notXbstream();
        }
        if (type == 'S' && sparseBytes > 0) {
          next(State.SPARSE_MAP, 0);
        } else {
          startPayload();
        }
      }
      default -> throw new IllegalStateException(state.name());
    }
  }

  private void startPayload() {
    String name = baseName(currentPath);
    capture =
        INTERESTING.contains(name)
            ? captured.computeIfAbsent(name, k -> new StringBuilder())
            : null;
    if (payloadLeft == 0) {
      chunkDone();
    } else {
      state = State.PAYLOAD;
    }
  }

  private void chunkDone() {
    chunks++;
    capture = null;
    next(State.MAGIC, 0);
  }

  private void next(State s, int ignored) {
    state = s;
    filled = 0;
  }

  private long le(int from, int n) {
    long v = 0;
    for (int k = n - 1; k >= 0; k--) {
      v = (v << 8) | (header[from + k] & 0xff);
    }
    return v;
  }

  private static String baseName(String p) {
    int slash = p.lastIndexOf('/');
    return slash >= 0 ? p.substring(slash + 1) : p;
  }

  private DbJobsException notXbstream() {
    return new DbJobsException(
        ErrorCode.STREAM_PROTOCOL,
        "not an xbstream: unexpected bytes at offset " + offset + " (after " + chunks + " chunks)");
  }

  /** True when the stream ended on a chunk boundary (a cut stream does not). */
  public boolean endedCleanly() {
    return state == State.MAGIC && filled == 0;
  }

  public long chunks() {
    return chunks;
  }

  /** The backup's position, from {@code xtrabackup_binlog_info}, or unknown. */
  public BackupPosition position() {
    StringBuilder s =
        captured.getOrDefault("mariadb_backup_binlog_info", captured.get("xtrabackup_binlog_info"));
    BackupPosition fromInfo = BackupPosition.UNKNOWN;
    Map<String, String> info = info();
    String binlogPos = info.get("binlog_pos");
    if (binlogPos != null) {
      fromInfo = parseInfoBinlogPos(binlogPos);
    }
    return s == null ? fromInfo : BackupPosition.parseBinlogInfo(s.toString()).or(fromInfo);
  }

  /** The key = value lines of {@code xtrabackup_info} (tool_version, server_version...). */
  public Map<String, String> info() {
    StringBuilder s = captured.getOrDefault("mariadb_backup_info", captured.get("xtrabackup_info"));
    Map<String, String> out = new LinkedHashMap<>();
    if (s == null) {
      return out;
    }
    for (String line : s.toString().split("\n")) {
      int eq = line.indexOf(" = ");
      if (eq > 0) {
        out.put(line.substring(0, eq).strip(), line.substring(eq + 3).strip());
      }
    }
    return out;
  }

  /** "filename 'mysql-bin.000002', position '816', GTID of the last change '0-1-9'" */
  static BackupPosition parseInfoBinlogPos(String v) {
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile(
                "filename '([^']*)', position '(\\d+)'(?:, GTID of the last change '([^']*)')?")
            .matcher(v);
    if (!m.find()) {
      return BackupPosition.UNKNOWN;
    }
    String gtid = m.group(3);
    return new BackupPosition(
        gtid == null || gtid.isEmpty() ? null : gtid.replaceAll("\\s+", ""),
        m.group(1),
        Long.parseLong(m.group(2)));
  }
}
