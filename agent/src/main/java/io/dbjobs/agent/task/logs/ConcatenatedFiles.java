package io.dbjobs.agent.task.logs;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Files read one after the other as one stream, each opened only when its turn comes and closed at
 * its end. A file with a limit yields at most that many bytes (a log the server still appends to is
 * sent as it was when the job looked at it).
 */
final class ConcatenatedFiles extends InputStream {
  /** A file and how much of it to read ({@code -1}: to its end). */
  record Part(Path file, long limit) {}

  private final List<Part> parts;
  private int next;
  private InputStream current;
  private long left;

  ConcatenatedFiles(List<Part> parts) {
    this.parts = List.copyOf(parts);
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
    while (true) {
      if (current == null) {
        if (next == parts.size()) {
          return -1;
        }
        Part p = parts.get(next++);
        current = Files.newInputStream(p.file());
        left = p.limit() < 0 ? Long.MAX_VALUE : p.limit();
      }
      int n = left == 0 ? -1 : current.read(b, off, (int) Math.min(len, left));
      if (n >= 0) {
        left -= n;
        return n;
      }
      current.close();
      current = null;
    }
  }

  @Override
  public int available() throws IOException {
    return current == null ? 0 : (int) Math.min(current.available(), left);
  }

  @Override
  public void close() throws IOException {
    if (current != null) {
      current.close();
      current = null;
    }
    next = parts.size();
  }
}
