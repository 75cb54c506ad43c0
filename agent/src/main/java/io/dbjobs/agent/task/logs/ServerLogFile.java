package io.dbjobs.agent.task.logs;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;

/**
 * Where the server writes a log, from its own settings: {@code @@log_error} or
 * {@code @@slow_query_log_file}, relative to {@code @@datadir} unless absolute.
 *
 * @param active whether the server writes to it now ({@code slow_query_log=ON}; always for the
 *     error log)
 */
record ServerLogFile(LogKind kind, Path file, boolean active) {

  /**
   * Asks the server.
   *
   * @throws DbJobsException NOT_FOUND naming the setting to change when the server writes the log
   *     to no file (error log to stderr or the journal, slow log to a table)
   */
  static ServerLogFile locate(Connection c, LogKind kind) throws SQLException {
    try (Statement s = c.createStatement()) {
      if (kind == LogKind.ERROR) {
        try (ResultSet rs = s.executeQuery("SELECT @@log_error, @@datadir")) {
          rs.next();
          return new ServerLogFile(kind, errorLog(rs.getString(1), rs.getString(2)), true);
        }
      }
      try (ResultSet rs =
          s.executeQuery(
              "SELECT @@slow_query_log_file, @@datadir, @@slow_query_log, @@log_output")) {
        rs.next();
        return new ServerLogFile(
            kind, slowLog(rs.getString(1), rs.getString(2), rs.getString(4)), rs.getInt(3) == 1);
      }
    }
  }

  /** The error log file from {@code @@log_error} (empty or {@code stderr}: not in a file). */
  static Path errorLog(String setting, String datadir) {
    String v = setting == null ? "" : setting.strip();
    if (v.isEmpty() || v.equalsIgnoreCase("stderr")) {
      throw new DbJobsException(
          ErrorCode.NOT_FOUND,
          "the server writes its error log to stderr (the systemd journal), not to a file"
              + " (log_error is "
              + (v.isEmpty() ? "empty" : "'" + v + "'")
              + "); set log_error=/var/log/mysql/error.log in the [mariadbd] (MySQL: [mysqld])"
              + " section of the server's config and restart it");
    }
    return resolve(v, datadir);
  }

  /** The slow query log file from {@code @@slow_query_log_file} and {@code @@log_output}. */
  static Path slowLog(String setting, String datadir, String logOutput) {
    String out = logOutput == null ? "" : logOutput.toUpperCase(Locale.ROOT);
    if (!out.contains("FILE")) {
      throw new DbJobsException(
          ErrorCode.NOT_FOUND,
          "the server writes its slow query log to "
              + (out.contains("TABLE") ? "the table mysql.slow_log" : "nowhere")
              + " (log_output="
              + logOutput
              + "), not to a file; set log_output=FILE (or FILE,TABLE) to collect it");
    }
    String v = setting == null ? "" : setting.strip();
    if (v.isEmpty()) {
      throw new DbJobsException(
          ErrorCode.NOT_FOUND,
          "the server has no slow query log file (slow_query_log_file is empty); set"
              + " slow_query_log_file=/var/log/mysql/slow.log and slow_query_log=ON");
    }
    return resolve(v, datadir);
  }

  /** {@code setting} as a path: absolute as it is, relative under {@code datadir}. */
  static Path resolve(String setting, String datadir) {
    Path p = Path.of(setting);
    if (p.isAbsolute() || datadir == null || datadir.isBlank()) {
      return p.normalize();
    }
    return Path.of(datadir).resolve(p).normalize();
  }
}
