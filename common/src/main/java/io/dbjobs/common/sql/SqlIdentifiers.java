package io.dbjobs.common.sql;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;

/**
 * SQL identifiers (schema, table, event names) quoted for MySQL and MariaDB: in backticks, a
 * backtick inside doubled. That quoting means the same under every {@code sql_mode} except {@code
 * ANSI_QUOTES}, which only adds double quotes as a second identifier quote and leaves backticks as
 * they are. Names come from the server or from job parameters; a name that no server can have
 * (empty, or holding U+0000) is refused rather than quoted.
 */
public final class SqlIdentifiers {
  private SqlIdentifiers() {}

  /**
   * {@code `name`} with every backtick doubled.
   *
   * @throws DbJobsException BAD_PARAMETER for an empty name or one containing U+0000
   */
  public static String quote(String name) {
    if (name == null || name.isEmpty()) {
      throw new DbJobsException(ErrorCode.BAD_PARAMETER, "an SQL identifier must not be empty");
    }
    if (name.indexOf('\0') >= 0) {
      throw new DbJobsException(
          ErrorCode.BAD_PARAMETER, "an SQL identifier must not contain the character U+0000");
    }
    return "`" + name.replace("`", "``") + "`";
  }

  /** {@code `schema`.`name`}. */
  public static String qualified(String schema, String name) {
    return quote(schema) + "." + quote(name);
  }
}
