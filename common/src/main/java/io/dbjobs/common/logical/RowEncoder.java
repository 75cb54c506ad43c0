package io.dbjobs.common.logical;

import java.io.IOException;
import java.io.OutputStream;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * Writes rows in {@code LOAD DATA}'s default text format: values separated by tabs, rows ended by
 * newlines, {@code \N} for NULL, and backslash, tab, newline, carriage return and NUL escaped with
 * a backslash. Values are the server's own text (or raw bytes) of each column, read without any
 * character set conversion, so every byte comes back as it was. Its buffer stays under about 130
 * KiB whatever the values' sizes (a big value is escaped and passed on in slices).
 */
final class RowEncoder {
  private static final int FLUSH_AT = 64 * 1024;
  private static final int SLICE = 32 * 1024;

  private final OutputStream out;
  private byte[] buf = new byte[FLUSH_AT + 1024];
  private int used;
  private long rows;

  RowEncoder(OutputStream out) {
    this.out = out;
  }

  long rows() {
    return rows;
  }

  /** Writes every row of {@code rs} ({@code width} columns). */
  void writeAll(ResultSet rs, int width) throws SQLException, IOException {
    while (rs.next()) {
      for (int i = 1; i <= width; i++) {
        if (i > 1) {
          put((byte) '\t');
        }
        byte[] v = rs.getBytes(i);
        if (v == null) {
          ensure(2);
          buf[used++] = '\\';
          buf[used++] = 'N';
        } else {
          value(v);
        }
      }
      put((byte) '\n');
      rows++;
      if (used >= FLUSH_AT) {
        flush();
      }
    }
  }

  /** Escapes one value, in slices, so a big value never needs more than a slice of buffer. */
  void value(byte[] v) throws IOException {
    for (int from = 0; from < v.length; from += SLICE) {
      int to = Math.min(v.length, from + SLICE);
      ensure((to - from) * 2);
      byte[] b = buf;
      int u = used;
      for (int i = from; i < to; i++) {
        byte c = v[i];
        switch (c) {
          case '\\' -> {
            b[u++] = '\\';
            b[u++] = '\\';
          }
          case '\t' -> {
            b[u++] = '\\';
            b[u++] = 't';
          }
          case '\n' -> {
            b[u++] = '\\';
            b[u++] = 'n';
          }
          case '\r' -> {
            b[u++] = '\\';
            b[u++] = 'r';
          }
          case 0 -> {
            b[u++] = '\\';
            b[u++] = '0';
          }
          default -> b[u++] = c;
        }
      }
      used = u;
      if (used >= FLUSH_AT) {
        flush();
      }
    }
  }

  private void put(byte c) {
    ensure(1);
    buf[used++] = c;
  }

  private void ensure(int n) {
    if (used + n > buf.length) {
      byte[] bigger = new byte[Math.max(buf.length * 2, used + n)];
      System.arraycopy(buf, 0, bigger, 0, used);
      buf = bigger;
    }
  }

  void flush() throws IOException {
    if (used > 0) {
      out.write(buf, 0, used);
      used = 0;
    }
  }
}
