package io.dbjobs.common.sql;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.regex.Pattern;

/**
 * String literals for statements that take no placeholders ({@code CHANGE MASTER TO}, {@code CHANGE
 * REPLICATION SOURCE TO}), made correct whatever the server's {@code sql_mode}: opening one turns
 * {@code NO_BACKSLASH_ESCAPES} on for the session of {@code connection}, so a backslash is an
 * ordinary character and the only thing to escape in {@code '...'} is the quote itself, doubled.
 * Without this, {@code \'} quoting is a string terminator on a server whose mode has {@code
 * NO_BACKSLASH_ESCAPES} (and doubling alone is wrong on one without it). {@link #close()} puts the
 * session's previous mode back, so a pooled connection leaves as it came.
 *
 * <p>Use the literals only on {@code connection}, between opening and closing this, and no bound
 * parameters on it meanwhile: Connector/J escapes those for the mode the session connected with.
 */
public final class PinnedLiterals implements LiteralQuoter, AutoCloseable {
  private static final String NBE = "NO_BACKSLASH_ESCAPES";

  /** sql_mode values are upper-case words separated by commas. */
  private static final Pattern MODE = Pattern.compile("[A-Z0-9_,]*");

  private final Connection connection;
  private final String previousMode;
  private boolean closed;

  private PinnedLiterals(Connection connection, String previousMode) {
    this.connection = connection;
    this.previousMode = previousMode;
  }

  /**
   * Pins {@code NO_BACKSLASH_ESCAPES} on for the session of {@code c}, keeping its other modes.
   *
   * @throws SQLException when the server refuses; DbJobsException INTERNAL when the mode did not
   *     take effect
   */
  public static PinnedLiterals pin(Connection c) throws SQLException {
    String mode = sessionMode(c);
    if (!MODE.matcher(mode).matches()) {
      throw new DbJobsException(
          ErrorCode.INTERNAL, "the session's sql_mode '" + mode + "' is not a list of mode names");
    }
    if (!hasNoBackslashEscapes(mode)) {
      try (Statement s = c.createStatement()) {
        s.execute("SET SESSION sql_mode = '" + (mode.isEmpty() ? NBE : mode + "," + NBE) + "'");
      }
      if (!hasNoBackslashEscapes(sessionMode(c))) {
        throw new DbJobsException(
            ErrorCode.INTERNAL,
            "SET SESSION sql_mode did not turn NO_BACKSLASH_ESCAPES on; refusing to quote literals");
      }
    }
    return new PinnedLiterals(c, mode);
  }

  /**
   * {@code 'value'} with quotes doubled, correct while the mode is pinned.
   *
   * @throws DbJobsException BAD_PARAMETER for a value containing U+0000
   */
  @Override
  public String quote(String value) {
    if (closed) {
      throw new IllegalStateException("literals quoted after the sql_mode was restored");
    }
    return underNoBackslashEscapes(value);
  }

  /**
   * The quoting used while {@code NO_BACKSLASH_ESCAPES} is on: the quote doubled, nothing else
   * escaped. Correct only on a session with that mode.
   *
   * @throws DbJobsException BAD_PARAMETER for a value containing U+0000
   */
  public static String underNoBackslashEscapes(String value) {
    if (value.indexOf('\0') >= 0) {
      throw new DbJobsException(
          ErrorCode.BAD_PARAMETER, "a value for an SQL statement must not contain U+0000");
    }
    return "'" + value.replace("'", "''") + "'";
  }

  /**
   * Puts the session's previous sql_mode back. When that fails the connection is aborted, never
   * returned to a pool as it is: Connector/J escapes bound parameters for the mode the session had
   * when it connected, so on a session left with {@code NO_BACKSLASH_ESCAPES} it would quote {@code
   * '} as {@code \'}, which that mode reads as a backslash and the end of the string.
   */
  @Override
  public void close() throws SQLException {
    if (closed) {
      return;
    }
    closed = true;
    if (hasNoBackslashEscapes(previousMode)) {
      return;
    }
    try (Statement s = connection.createStatement()) {
      s.execute("SET SESSION sql_mode = '" + previousMode + "'");
    } catch (SQLException e) {
      try {
        connection.abort(Runnable::run);
      } catch (SQLException | RuntimeException a) {
        e.addSuppressed(a);
      }
      throw e;
    }
  }

  private static String sessionMode(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT @@SESSION.sql_mode")) {
      rs.next();
      String m = rs.getString(1);
      return m == null ? "" : m.trim();
    }
  }

  private static boolean hasNoBackslashEscapes(String mode) {
    return Arrays.asList(mode.split(",")).contains(NBE);
  }
}
