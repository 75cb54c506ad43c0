package io.dbjobs.common.backup;

import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Passes an uncompressed SQL dump (mariadb-dump/mysqldump) through unchanged while watching its
 * statement and comment lines, so its position, completeness and which tables it carries rows for
 * are known when the stream ends: {@code -- CHANGE MASTER TO MASTER_LOG_FILE='f',
 * MASTER_LOG_POS=n;} near the top, {@code -- SET GLOBAL gtid_slave_pos='...';} (MariaDB, printed
 * after the data), {@code SET @@GLOBAL.GTID_PURGED=...} (MySQL, printed before it), {@code USE
 * `db`;} and {@code INSERT INTO `t`} (rows of a table), and the final {@code -- Dump completed}
 * line. Only lines starting with {@code --}, {@code SET}, {@code USE}, {@code INS} or {@code DEL}
 * are looked at, and of an {@code INSERT} line only its head; data lines are skipped at the speed
 * of a newline search.
 *
 * <p>Names are hostile: a table whose name holds a line break puts the rest of its name at the
 * start of a line of the dump. So the scanner trusts only what a name cannot forge: the completion
 * marker counts only as the dump's last non-empty line; the MariaDB GTID line is the last one seen
 * (the real one follows every name), the MySQL one the first (the real one precedes every name);
 * identifiers are read as the tool quotes them (backticks doubled), across line breaks; and no
 * {@code INSERT} inside a {@code DELIMITER ;;} block (trigger, routine and event bodies) counts.
 */
public final class DumpScanner extends FilterInputStream {
  private static final Pattern LOG_POS =
      Pattern.compile("(?:MASTER|SOURCE)_LOG_FILE='([^']+)',\\s*(?:MASTER|SOURCE)_LOG_POS=(\\d+)");
  private static final Pattern MARIADB_GTID = Pattern.compile("gtid_slave_pos='([^']*)'");
  private static final Pattern MYSQL_GTID =
      Pattern.compile("GTID_PURGED=(?:/\\*!80000 '\\+'\\*/ )?'([^']*)'");
  private static final int MAX_LINE = 64 * 1024;

  /** Enough of an INSERT line for its table name (64 characters, quoted, in UTF-8). */
  private static final int MAX_INSERT_HEAD = 2048;

  private static final String INSERT = "INSERT INTO ";
  private static final String USE = "USE ";

  private boolean atLineStart = true;
  private boolean keeping;
  private int lineLimit;

  /** The kept line's bytes so far (decoded as UTF-8 once whole: a character may span reads). */
  private final ByteArrayOutputStream line = new ByteArrayOutputStream();

  private final byte[] prefix = new byte[3];
  private int prefixLen;
  private String binlogFile;
  private Long binlogPos;
  private String gtid;
  private boolean mysqlGtidSeen;
  private boolean completed;
  private StringBuilder pendingPurged;

  /** An INSERT or USE statement whose quoted name continues on the next line. */
  private StringBuilder pendingName;

  private boolean inDelimiterBlock;
  private String currentSchema;
  private final Set<TableName> tablesWithRows = new LinkedHashSet<>();

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
          byte c = b[i++];
          if (c == '\n') {
            shortLine();
            continue;
          }
          prefix[prefixLen++] = c;
        }
        if (prefixLen < 3) {
          return;
        }
        atLineStart = false;
        // any later line means the completion marker seen so far was not the dump's end
        completed = false;
        boolean insert = is("INS");
        keeping =
            pendingPurged != null
                || pendingName != null
                || (prefix[0] == '-' && prefix[1] == '-')
                || is("SET")
                || is("USE")
                || is("DEL")
                || insert;
        lineLimit = insert && pendingName == null ? MAX_INSERT_HEAD : MAX_LINE;
        line.reset();
        if (keeping) {
          line.write(prefix, 0, 3);
        }
        prefixLen = 0;
      }
      int nl = indexOf(b, i, end);
      int stop = nl < 0 ? end : nl;
      if (keeping && line.size() < lineLimit) {
        line.write(b, i, Math.min(stop - i, lineLimit - line.size()));
      }
      if (nl < 0) {
        return;
      }
      if (keeping) {
        look(line.toString(StandardCharsets.UTF_8));
      }
      i = nl + 1;
      atLineStart = true;
    }
  }

  private boolean is(String three) {
    return prefix[0] == three.charAt(0)
        && prefix[1] == three.charAt(1)
        && prefix[2] == three.charAt(2);
  }

  /** A line of fewer than three bytes ended (an empty line when none were collected). */
  private void shortLine() {
    if (prefixLen > 0) {
      completed = false;
      if (pendingName != null || pendingPurged != null) {
        look(new String(prefix, 0, prefixLen, StandardCharsets.UTF_8));
      }
    }
    prefixLen = 0;
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
    if (pendingName != null) {
      pendingName.append('\n').append(l);
      String whole = pendingName.toString();
      pendingName = null;
      if (whole.length() <= MAX_LINE) {
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
    if (l.startsWith("DELIMITER ")) {
      String d = l.substring("DELIMITER ".length()).strip();
      if (d.equals(";;")) {
        inDelimiterBlock = true;
      } else if (d.equals(";")) {
        inDelimiterBlock = false;
      }
      return;
    }
    if (!inDelimiterBlock && (l.startsWith(INSERT) || l.startsWith(USE))) {
      boolean insert = l.startsWith(INSERT);
      int from = insert ? INSERT.length() : USE.length();
      String name = quotedName(l, from);
      if (name == null) {
        // the name goes on after a line break (or is not quoted at all)
        if (from < l.length() && l.charAt(from) == '`') {
          pendingName = new StringBuilder(l);
        }
        return;
      }
      if (insert) {
        tablesWithRows.add(new TableName(currentSchema, name));
      } else {
        currentSchema = name;
      }
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
    if (l.startsWith("SET @@GLOBAL.GTID_PURGED") && !mysqlGtidSeen && m.find()) {
      mysqlGtidSeen = true;
      gtid = m.group(1).replaceAll("\\s+", "");
    }
  }

  /**
   * The backtick-quoted identifier starting at {@code from} in {@code s}, unquoted; null when there
   * is none or it is not closed in {@code s}.
   */
  static String quotedName(String s, int from) {
    if (from >= s.length() || s.charAt(from) != '`') {
      return null;
    }
    StringBuilder name = new StringBuilder();
    for (int i = from + 1; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '`') {
        if (i + 1 < s.length() && s.charAt(i + 1) == '`') {
          name.append('`');
          i++;
        } else {
          return name.toString();
        }
      } else {
        name.append(c);
      }
    }
    return null;
  }

  public BackupPosition position() {
    return new BackupPosition(gtid == null || gtid.isEmpty() ? null : gtid, binlogFile, binlogPos);
  }

  /** True when the dump's last non-empty line so far is its closing {@code -- Dump completed}. */
  public boolean completed() {
    return completed;
  }

  /**
   * The tables the dump carries at least one {@code INSERT} for, by the schema of the {@code USE}
   * line before it, in dump order.
   */
  public Set<TableName> tablesWithRows() {
    return Collections.unmodifiableSet(tablesWithRows);
  }
}
