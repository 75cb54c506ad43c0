package io.dbjobs.agent.task.reseed.load;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Splits a SQL dump into statements as the {@code mariadb} client does, without holding them: a
 * statement's first bytes (up to {@link #HEAD_LIMIT}) are held to classify it ({@link
 * StatementKind}), the rest streams through to the {@link Handler} as it arrives. Memory stays
 * bounded by the size of one {@link #push} plus the head, whatever the statement sizes.
 *
 * <p>The client's rules: a statement ends at the current delimiter outside quotes ({@code '...'},
 * {@code "..."} with backslash escapes, {@code `...`}) and comments ({@code -- }, {@code #}, {@code
 * /* *}{@code /}; the executable {@code /*!...*}{@code /} and {@code /*M!...*}{@code /} are
 * statement text); a line starting with {@code DELIMITER} changes the delimiter. Whitespace and
 * comments between statements are dropped (the client drops them too).
 *
 * <p>Not thread-safe: one stream, one thread.
 */
final class DumpSplitter {
  /** How many bytes of a statement decide its kind. */
  static final int HEAD_LIMIT = 4096;

  /**
   * The first line of a dump by mariadb-dump 10.11.8 and later; the client reads it as a command.
   */
  private static final byte[] SANDBOX = ascii("/*M!999999\\- enable the sandbox mode */");

  private static final byte[] DELIMITER_WORD = ascii("delimiter");

  /** Receives the statements, in order. */
  interface Handler {
    /**
     * A statement starts. {@code head} holds its first bytes: the whole statement, delimiter
     * included, when {@code complete}, and {@link #end} follows at once; otherwise {@link #more}
     * brings the rest. For {@link StatementKind#COMMAND} the head is the line without its newline.
     *
     * @return false to stop splitting. Then, as after any {@link StatementKind#UNSPLITTABLE}
     *     statement, the head is not to be used: this statement's bytes and everything after come
     *     again through {@link #raw}, unsplit
     */
    boolean begin(StatementKind kind, byte[] head, int length, boolean complete)
        throws IOException, InterruptedException;

    /** More bytes of the current statement. */
    void more(byte[] bytes, int offset, int length) throws IOException, InterruptedException;

    /** The current statement ended; its last bytes were its delimiter. */
    void end() throws IOException, InterruptedException;

    /** Bytes passed on unsplit, once {@link #begin} returned false. */
    void raw(byte[] bytes, int offset, int length) throws IOException, InterruptedException;
  }

  private enum Mode {
    BETWEEN,
    FILLER_LINE,
    FILLER_BLOCK,
    COMMAND_LINE,
    HEAD,
    BODY,
    PASSTHROUGH
  }

  private final Handler handler;
  private byte[] buf = new byte[64 * 1024];
  private int end; // bytes in buf
  private int pos; // next byte to scan
  private int stmtStart; // HEAD/COMMAND_LINE: where the statement began
  private int emitted; // BODY: bytes before this index were passed on
  private Mode mode = Mode.BETWEEN;
  private byte[] delimiter = {';'};
  private boolean atStart = true;
  private boolean splitting = true;

  // content scanner state
  private byte quote;
  private boolean escaped;
  private boolean lineComment;
  private boolean blockComment;

  private long statements;

  DumpSplitter(Handler handler) {
    this.handler = handler;
  }

  /** Statements seen so far (client command lines included). */
  long statements() {
    return statements;
  }

  /** False once a statement could not be split and the rest passes through unsplit. */
  boolean splitting() {
    return splitting;
  }

  /** Feeds the next bytes of the dump. */
  void push(byte[] data, int off, int len) throws IOException, InterruptedException {
    if (mode == Mode.PASSTHROUGH) {
      handler.raw(data, off, len);
      return;
    }
    append(data, off, len);
    scan(false);
  }

  /**
   * The dump ended: hands on what is left. A statement without its delimiter at the very end is an
   * error (a dump cut in the middle); the client would run the fragment.
   */
  void finish() throws IOException, InterruptedException {
    if (mode == Mode.PASSTHROUGH) {
      return;
    }
    scan(true);
    if (mode == Mode.HEAD || mode == Mode.BODY || mode == Mode.COMMAND_LINE) {
      throw new DbJobsException(
          ErrorCode.RESTORE_FAILED,
          "the dump ends inside a statement (statement "
              + (statements + 1)
              + " has no closing '"
              + new String(delimiter, StandardCharsets.ISO_8859_1)
              + "'): it was cut at its source");
    }
  }

  private void append(byte[] data, int off, int len) {
    int keep =
        switch (mode) {
          case HEAD, COMMAND_LINE -> stmtStart;
          case BODY -> emitted;
          default -> pos;
        };
    int live = end - keep;
    if (keep > 0) {
      System.arraycopy(buf, keep, buf, 0, live);
      pos -= keep;
      stmtStart = Math.max(0, stmtStart - keep);
      emitted = Math.max(0, emitted - keep);
      end = live;
    }
    if (end + len > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(buf.length * 2, end + len));
    }
    System.arraycopy(data, off, buf, end, len);
    end += len;
  }

  private void scan(boolean eof) throws IOException, InterruptedException {
    while (true) {
      switch (mode) {
        case PASSTHROUGH -> {
          return;
        }
        case BETWEEN -> {
          if (!between(eof)) {
            return;
          }
        }
        case FILLER_LINE -> {
          int nl = indexOf((byte) '\n', pos);
          if (nl < 0) {
            pos = end;
            return;
          }
          pos = nl + 1;
          mode = Mode.BETWEEN;
        }
        case FILLER_BLOCK -> {
          int close = indexOf2('*', '/', pos);
          if (close < 0) {
            pos = Math.max(pos, end - 1); // keep a trailing '*'
            return;
          }
          pos = close + 2;
          mode = Mode.BETWEEN;
        }
        case COMMAND_LINE -> {
          if (!commandLine(eof)) {
            return;
          }
        }
        case HEAD, BODY -> {
          if (!content(eof)) {
            return;
          }
        }
        default -> throw new IllegalStateException(mode.name());
      }
    }
  }

  /** Skips whitespace and comments between statements; false when more bytes are needed. */
  private boolean between(boolean eof) throws IOException, InterruptedException {
    if (atStart) {
      if (end - pos < SANDBOX.length && !eof) {
        return false;
      }
      atStart = false;
      if (startsWith(pos, SANDBOX)) {
        stmtStart = pos;
        mode = Mode.COMMAND_LINE;
        return true;
      }
    }
    while (pos < end) {
      byte c = buf[pos];
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
        pos++;
        continue;
      }
      if (c == '#') {
        pos++;
        mode = Mode.FILLER_LINE;
        return true;
      }
      if (c == '-' || c == '/') {
        if (end - pos < 4 && !eof) {
          return false;
        }
        if (c == '-' && isDashComment(pos)) {
          pos += 2;
          mode = Mode.FILLER_LINE;
          return true;
        }
        if (c == '/' && isPlainBlockComment(pos)) {
          pos += 2;
          mode = Mode.FILLER_BLOCK;
          return true;
        }
      }
      if (c == 'd' || c == 'D') {
        if (end - pos < DELIMITER_WORD.length + 1 && !eof) {
          return false;
        }
        if (startsWithIgnoreCase(pos, DELIMITER_WORD)
            && pos + DELIMITER_WORD.length < end
            && (buf[pos + DELIMITER_WORD.length] == ' '
                || buf[pos + DELIMITER_WORD.length] == '\t')) {
          stmtStart = pos;
          mode = Mode.COMMAND_LINE;
          return true;
        }
      }
      stmtStart = pos;
      emitted = pos;
      quote = 0;
      escaped = false;
      lineComment = false;
      blockComment = false;
      mode = Mode.HEAD;
      return true;
    }
    return false;
  }

  /** A client command line (DELIMITER, sandbox), up to its newline; false when more is needed. */
  private boolean commandLine(boolean eof) throws IOException, InterruptedException {
    int nl = indexOf((byte) '\n', stmtStart);
    if (nl < 0) {
      if (!eof) {
        if (end - stmtStart > HEAD_LIMIT) {
          throw new DbJobsException(
              ErrorCode.RESTORE_FAILED,
              "the dump has a client command line longer than " + HEAD_LIMIT + " bytes");
        }
        return false;
      }
      nl = end;
    }
    int lineEnd = nl > stmtStart && buf[nl - 1] == '\r' ? nl - 1 : nl;
    String line = new String(buf, stmtStart, lineEnd - stmtStart, StandardCharsets.ISO_8859_1);
    StatementKind kind = StatementKind.COMMAND;
    byte[] next = null;
    if (!startsWith(stmtStart, SANDBOX)) {
      String value = line.substring(DELIMITER_WORD.length).trim();
      int space = value.indexOf(' ');
      value = space < 0 ? value : value.substring(0, space);
      if (StatementKind.splittableDelimiter(value)) {
        next = value.getBytes(StandardCharsets.ISO_8859_1);
      } else {
        kind = StatementKind.UNSPLITTABLE;
      }
    }
    statements++;
    byte[] head = Arrays.copyOfRange(buf, stmtStart, lineEnd);
    boolean go = handler.begin(kind, head, head.length, true);
    if (kind == StatementKind.UNSPLITTABLE || !go) {
      passThroughFrom(stmtStart);
      return false;
    }
    handler.end();
    if (next != null) {
      delimiter = next;
    }
    pos = Math.min(end, nl + 1);
    mode = Mode.BETWEEN;
    return true;
  }

  /** Scans statement text; false when more bytes are needed. */
  private boolean content(boolean eof) throws IOException, InterruptedException {
    while (pos < end) {
      if (mode == Mode.HEAD && pos - stmtStart >= HEAD_LIMIT) {
        if (!beginStatement(false)) {
          return false;
        }
      }
      byte c = buf[pos];
      if (lineComment) {
        if (c == '\n') {
          lineComment = false;
        }
        pos++;
        continue;
      }
      if (blockComment) {
        if (c == '*') {
          if (pos + 1 >= end && !eof) {
            break;
          }
          if (pos + 1 < end && buf[pos + 1] == '/') {
            blockComment = false;
            pos += 2;
            continue;
          }
        }
        pos++;
        continue;
      }
      if (quote != 0) {
        if (escaped) {
          escaped = false;
        } else if (c == '\\' && quote != '`') {
          escaped = true;
        } else if (c == quote) {
          quote = 0;
        }
        pos++;
        continue;
      }
      if (c == delimiter[0]) {
        if (end - pos < delimiter.length && !eof) {
          break;
        }
        if (startsWith(pos, delimiter)) {
          pos += delimiter.length;
          return endStatement();
        }
      }
      if (c == '\'' || c == '"' || c == '`') {
        quote = c;
      } else if (c == '#') {
        lineComment = true;
      } else if (c == '-' || c == '/') {
        if (end - pos < 4 && !eof) {
          break;
        }
        if (c == '-' && isDashComment(pos)) {
          lineComment = true;
          pos += 2;
          continue;
        }
        if (c == '/' && isPlainBlockComment(pos)) {
          blockComment = true;
          pos += 2;
          continue;
        }
      }
      pos++;
    }
    if (mode == Mode.BODY && pos > emitted) {
      handler.more(buf, emitted, pos - emitted);
      emitted = pos;
    }
    return false;
  }

  private boolean beginStatement(boolean complete) throws IOException, InterruptedException {
    String head = new String(buf, stmtStart, pos - stmtStart, StandardCharsets.ISO_8859_1);
    StatementKind kind =
        StatementKind.classify(head, complete, delimiter.length == 1 && delimiter[0] == ';');
    statements++;
    byte[] bytes = Arrays.copyOfRange(buf, stmtStart, pos);
    boolean go = handler.begin(kind, bytes, bytes.length, complete);
    if (kind == StatementKind.UNSPLITTABLE || !go) {
      passThroughFrom(stmtStart);
      return false;
    }
    emitted = pos;
    mode = Mode.BODY;
    return true;
  }

  private boolean endStatement() throws IOException, InterruptedException {
    if (mode == Mode.HEAD) {
      if (!beginStatement(true)) {
        return false;
      }
    } else if (pos > emitted) {
      handler.more(buf, emitted, pos - emitted);
    }
    handler.end();
    emitted = pos;
    mode = Mode.BETWEEN;
    return true;
  }

  /** Stops splitting: every byte from {@code from} on goes to the handler unsplit. */
  private void passThroughFrom(int from) throws IOException, InterruptedException {
    splitting = false;
    mode = Mode.PASSTHROUGH;
    if (end > from) {
      handler.raw(buf, from, end - from);
    }
    pos = end;
    buf = new byte[0];
    end = 0;
    pos = 0;
  }

  /** {@code --} followed by whitespace or a control character (or the end): a comment. */
  private boolean isDashComment(int at) {
    if (at + 1 >= end || buf[at + 1] != '-') {
      return false;
    }
    return at + 2 >= end || (buf[at + 2] & 0xff) <= ' ';
  }

  /** {@code /*} that is not the executable {@code /*!} or {@code /*M!}. */
  private boolean isPlainBlockComment(int at) {
    if (at + 1 >= end || buf[at + 1] != '*') {
      return false;
    }
    if (at + 2 < end && buf[at + 2] == '!') {
      return false;
    }
    return !(at + 3 < end && buf[at + 2] == 'M' && buf[at + 3] == '!');
  }

  private boolean startsWith(int at, byte[] s) {
    if (end - at < s.length) {
      return false;
    }
    for (int i = 0; i < s.length; i++) {
      if (buf[at + i] != s[i]) {
        return false;
      }
    }
    return true;
  }

  private boolean startsWithIgnoreCase(int at, byte[] lower) {
    if (end - at < lower.length) {
      return false;
    }
    for (int i = 0; i < lower.length; i++) {
      if ((buf[at + i] | 0x20) != lower[i]) {
        return false;
      }
    }
    return true;
  }

  private int indexOf(byte b, int from) {
    for (int i = from; i < end; i++) {
      if (buf[i] == b) {
        return i;
      }
    }
    return -1;
  }

  private int indexOf2(char a, char b, int from) {
    for (int i = from; i + 1 < end; i++) {
      if (buf[i] == a && buf[i + 1] == b) {
        return i;
      }
    }
    return -1;
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
