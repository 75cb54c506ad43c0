package io.dbjobs.common.logical;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import java.util.regex.Pattern;

/**
 * SQL text built from names and settings that come from a server or a dump: identifiers are always
 * backtick-quoted with backticks doubled; the few settings inlined as literals (sql_mode, time
 * zone, collation) are first checked to hold only characters that need no escaping, so no literal
 * is ever escaped by hand.
 */
public final class Sql {
  private static final Pattern SQL_MODE = Pattern.compile("[A-Z0-9_,]*");
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_]{1,64}");
  private static final Pattern TIME_ZONE = Pattern.compile("[A-Za-z0-9_+:/-]{1,64}");

  private Sql() {}

  /** {@code `name`} with every backtick doubled. */
  public static String id(String name) {
    return "`" + name.replace("`", "``") + "`";
  }

  /** {@code `schema`.`name`}. */
  public static String id(String schema, String name) {
    return id(schema) + "." + id(name);
  }

  /**
   * {@code 'mode'} for {@code SET sql_mode}.
   *
   * @throws DbJobsException RESTORE_FAILED when the value holds anything but modes and commas
   */
  public static String sqlModeLiteral(String mode) {
    return checked(mode == null ? "" : mode, SQL_MODE, "an sql_mode");
  }

  /** {@code 'name'} of a character set or collation. */
  public static String nameLiteral(String name) {
    return checked(name, NAME, "a character set or collation name");
  }

  /** {@code 'zone'} for {@code SET time_zone}. */
  public static String timeZoneLiteral(String zone) {
    return checked(zone, TIME_ZONE, "a time zone");
  }

  /** A bare character set or collation name, checked (for {@code COLLATE x}). */
  public static String name(String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new DbJobsException(
          ErrorCode.RESTORE_FAILED, "'" + name + "' is not a character set or collation name");
    }
    return name;
  }

  private static String checked(String value, Pattern allowed, String what) {
    if (value == null || !allowed.matcher(value).matches()) {
      throw new DbJobsException(
          ErrorCode.RESTORE_FAILED, "the dump holds '" + value + "' where " + what + " belongs");
    }
    return "'" + value + "'";
  }
}
