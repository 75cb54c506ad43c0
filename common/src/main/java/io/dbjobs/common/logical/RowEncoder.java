package io.dbjobs.common.logical;

import java.io.IOException;
import java.io.OutputStream;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * Writes rows in {@code LOAD DATA}'s default text format: values separated by tabs, rows ended by
 * newlines, {@code \N} for NULL, and backslash, tab, newline, carriage return and NUL escaped with
 * a backslash. Values are the server's own text (or raw bytes) of each column, read without any
 * character set conversion, so every byte comes back as it was.
 */
final class RowEncoder {
  private static final int FLUSH_AT = 64 * 1024;

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

  void value(byte[] v) {
    ensure(v.length * 2);
    byte[] b = buf;
    int u = used;
    for (byte c : v) {
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
    if (buf.length > 4 * FLUSH_AT) {
      buf = new byte[FLUSH_AT + 1024]; // one big value grew it: give the memory back
    }
  }
}
