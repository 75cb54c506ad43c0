package io.dbjobs.common.backup;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Passes an uncompressed SQL dump (mariadb-dump/mysqldump) through unchanged while watching its
 * comment lines, so its position and completeness are known when the stream ends: {@code -- CHANGE
 * MASTER TO MASTER_LOG_FILE='f', MASTER_LOG_POS=n;} near the top, {@code -- SET GLOBAL
 * gtid_slave_pos='...';} (MariaDB, printed after the data), {@code SET @@GLOBAL.GTID_PURGED=...}
 * (MySQL), and the final {@code -- Dump completed} line. Only lines starting with {@code --} or
 * {@code SET @@GLOBAL.GTID_PURGED} are looked at; data lines are skipped at the speed of a newline
 * search.
 */
public final class DumpScanner extends FilterInputStream {
  private static final Pattern LOG_POS =
      Pattern.compile("(?:MASTER|SOURCE)_LOG_FILE='([^']+)',\\s*(?:MASTER|SOURCE)_LOG_POS=(\\d+)");
  private static final Pattern MARIADB_GTID = Pattern.compile("gtid_slave_pos='([^']*)'");
  private static final Pattern MYSQL_GTID =
      Pattern.compile("GTID_PURGED=(?:/\\*!80000 '\\+'\\*/ )?'([^']*)'");
  private static final int MAX_LINE = 64 * 1024;

  private boolean atLineStart = true;
  private boolean keeping;
  private final StringBuilder line = new StringBuilder();
  private final byte[] prefix = new byte[3];
  private int prefixLen;
  private String binlogFile;
  private Long binlogPos;
  private String gtid;
  private boolean completed;
  private StringBuilder pendingPurged;

  public DumpScanner(InputStream in) {
    super(in);
  }

  /** A scanner fed by {@link #observe} instead of reading a stream (for sinks). */
  public static DumpScanner observer() {
    return new DumpScanner(InputStream.nullInputStream());
  }

  /** Looks at bytes that pass elsewhere (push mode); same result as reading them through. */
  public void observe(byte[] b, int off, int len) {
    feed(b, off, len);
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
    throw new UnsupportedOperationException("a dump being scanned cannot be skipped");
  }

  private void feed(byte[] b, int off, int len) {
    int end = off + len;
    int i = off;
    while (i < end) {
      if (atLineStart) {
        // decide from the first bytes whether this line is worth keeping
        while (i < end && prefixLen < 3) {
          prefix[prefixLen++] = b[i++];
          if (prefix[prefixLen - 1] == '\n') {
            prefixLen = 0;
            continue;
          }
        }
        if (prefixLen < 3) {
          return;
        }
        atLineStart = false;
        keeping =
            pendingPurged != null
                || (prefix[0] == '-' && prefix[1] == '-')
                || (prefix[0] == 'S' && prefix[1] == 'E' && prefix[2] == 'T');
        line.setLength(0);
        if (keeping) {
          line.append(new String(prefix, 0, 3, StandardCharsets.ISO_8859_1));
        }
        prefixLen = 0;
      }
      int nl = indexOf(b, i, end);
      int stop = nl < 0 ? end : nl;
      if (keeping && line.length() < MAX_LINE) {
        line.append(
            new String(b, i, Math.min(stop - i, MAX_LINE - line.length()), StandardCharsets.UTF_8));
      }
      if (nl < 0) {
        return;
      }
      if (keeping) {
        look(line.toString());
      }
      i = nl + 1;
      atLineStart = true;
    }
  }

  private static int indexOf(byte[] b, int from, int end) {
    for (int k = from; k < end; k++) {
      if (b[k] == '\n') {
        return k;
      }
    }
    return -1;
  }

  private void look(String l) {
    if (pendingPurged != null) {
      // a MySQL GTID set with many UUIDs spans lines until its closing quote
      pendingPurged.append(l);
      if (l.contains("';")) {
        String whole = pendingPurged.toString();
        pendingPurged = null;
        look(whole);
      }
      return;
    }
    if (l.startsWith("SET @@GLOBAL.GTID_PURGED") && !l.contains("';")) {
      pendingPurged = new StringBuilder(l);
      return;
    }
    if (l.startsWith("-- Dump completed")) {
      completed = true;
      return;
    }
    Matcher m = LOG_POS.matcher(l);
    if (binlogFile == null && m.find()) {
      binlogFile = m.group(1);
      binlogPos = Long.parseLong(m.group(2));
      return;
    }
    m = MARIADB_GTID.matcher(l);
    if (l.startsWith("-- SET GLOBAL") && m.find()) {
      gtid = m.group(1);
      return;
    }
    m = MYSQL_GTID.matcher(l);
    if (l.startsWith("SET @@GLOBAL.GTID_PURGED") && m.find()) {
      gtid = m.group(1).replaceAll("\\s+", "");
    }
  }

  public BackupPosition position() {
    return new BackupPosition(gtid == null || gtid.isEmpty() ? null : gtid, binlogFile, binlogPos);
  }

  /** True once the dump's closing {@code -- Dump completed} line went through. */
  public boolean completed() {
    return completed;
  }
}
