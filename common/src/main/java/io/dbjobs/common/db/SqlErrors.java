package io.dbjobs.common.db;

import io.dbjobs.common.ErrorCode;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;

/**
 * Decides in one place what a database error means: the server is away (retry later), access is
 * denied (fix grants), or something else. Walks the cause chain; MySQL/MariaDB error numbers are
 * named in comments.
 */
public final class SqlErrors {
  private SqlErrors() {}

  /** True when the error says the server cannot be reached now; worth retrying with back-off. */
  public static boolean isConnectionLoss(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof SQLTransientConnectionException
          || c instanceof SQLNonTransientConnectionException
          || c instanceof java.net.ConnectException
          || c instanceof java.io.EOFException
          || c instanceof java.net.SocketException) {
        return true;
      }
      if (c instanceof SQLException s) {
        String state = s.getSQLState();
        if (state != null && state.startsWith("08")) {
          return true; // connection exception class
        }
        switch (s.getErrorCode()) {
          case 1040, // ER_CON_COUNT_ERROR: too many connections
              1053, // ER_SERVER_SHUTDOWN: server shutdown in progress
              1927, // ER_CONNECTION_KILLED (MariaDB)
              2002, // CR_CONNECTION_ERROR
              2003, // CR_CONN_HOST_ERROR
              2006, // CR_SERVER_GONE_ERROR
              2013 -> // CR_SERVER_LOST
          {
            return true;
          }
          default -> {}
        }
      }
    }
    return false;
  }

  /** True for privilege errors that grants fix. */
  public static boolean isAccessDenied(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof SQLException s) {
        switch (s.getErrorCode()) {
          case 1044, // ER_DBACCESS_DENIED_ERROR
              1045, // ER_ACCESS_DENIED_ERROR (bad user or password)
              1142, // ER_TABLEACCESS_DENIED_ERROR
              1143, // ER_COLUMNACCESS_DENIED_ERROR
              1227, // ER_SPECIFIC_ACCESS_DENIED_ERROR (missing BINLOG ADMIN, SUPER...)
              1290 -> // ER_OPTION_PREVENTS_STATEMENT (read_only without READ_ONLY ADMIN)
          {
            return true;
          }
          default -> {}
        }
      }
    }
    return false;
  }

  /** True when a lock wait timed out (ER_LOCK_WAIT_TIMEOUT 1205) or a deadlock was found (1213). */
  public static boolean isLockTimeout(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof SQLException s && (s.getErrorCode() == 1205 || s.getErrorCode() == 1213)) {
        return true;
      }
    }
    return false;
  }

  /** True when a table or schema does not exist (ER_NO_SUCH_TABLE 1146, ER_BAD_DB_ERROR 1049). */
  public static boolean isMissingTable(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof SQLException s && (s.getErrorCode() == 1146 || s.getErrorCode() == 1049)) {
        return true;
      }
    }
    return false;
  }

  /** True for a column the table does not have (ER_BAD_FIELD_ERROR 1054): an older schema. */
  public static boolean isUnknownColumn(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof SQLException s && s.getErrorCode() == 1054) {
        return true;
      }
    }
    return false;
  }

  /** True for a duplicate key (ER_DUP_ENTRY 1062). */
  public static boolean isDuplicateKey(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof SQLException s && s.getErrorCode() == 1062) {
        return true;
      }
    }
    return false;
  }

  /** The error code a database failure should be reported with. */
  public static ErrorCode classify(Throwable t) {
    if (isConnectionLoss(t)) {
      return ErrorCode.NODE_UNREACHABLE;
    }
    if (isAccessDenied(t)) {
      return ErrorCode.PERMISSION_DENIED;
    }
    return ErrorCode.DATABASE_ERROR;
  }

  /**
   * The server's own message of the first SQLException in the chain, with its error number; when a
   * TLS handshake or certificate check is what failed (the driver then only says "Communications
   * link failure"), that reason too.
   */
  public static String message(Throwable t) {
    String m = null;
    for (Throwable c = t; c != null && m == null; c = c.getCause()) {
      if (c instanceof SQLException s) {
        m = "error " + s.getErrorCode() + " (" + s.getSQLState() + "): " + s.getMessage();
      }
    }
    if (m == null) {
      m = t.getClass().getSimpleName() + ": " + t.getMessage();
    }
    if (m.contains("SSL Connection required, but not provided by server")) {
      return m
          + " (the database tls setting is required but the server offers no TLS: give the"
          + " server ssl_cert and ssl_key, or set tls: preferred)";
    }
    Throwable tls = tlsCause(t);
    return tls == null
        ? m
        : m
            + " (TLS failed: "
            + tls.getClass().getSimpleName()
            + ": "
            + tls.getMessage()
            + "; check the database tls and ca settings)";
  }

  /** The innermost TLS or certificate failure in the chain, or null. */
  static Throwable tlsCause(Throwable t) {
    Throwable found = null;
    int depth = 0;
    for (Throwable c = t; c != null && depth < 20; c = c.getCause(), depth++) {
      if (c instanceof javax.net.ssl.SSLException
          || c instanceof java.security.GeneralSecurityException) {
        found = c;
      }
    }
    return found;
  }
}
