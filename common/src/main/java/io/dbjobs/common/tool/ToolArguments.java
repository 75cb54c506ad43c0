package io.dbjobs.common.tool;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import java.util.ArrayList;
import java.util.List;

/**
 * Names (databases, tables) passed to a tool's command line: checked, then placed after {@code --},
 * the end of options, so that none of them can be read as an option. {@code --} alone would do for
 * the MariaDB tools (their option parser stops at it; {@code BackupToolsIT} proves it with
 * mariadb-dump); a name that starts with {@code -} is refused as well, because not every tool or
 * wrapper script honours {@code --}, and such a name in a backup is a sign of an attack.
 */
public final class ToolArguments {
  /** The end-of-options marker of getopt and of the MariaDB/MySQL tools' option parser. */
  public static final String END_OF_OPTIONS = "--";

  private ToolArguments() {}

  /**
   * {@code --} followed by {@code names}.
   *
   * @param kind what the names are, for the message: {@code database}
   * @param where where they were found, for the message: {@code on db1}
   * @param fix what the user can do about a refused name
   * @throws DbJobsException BAD_PARAMETER naming the first name that starts with {@code -}, is
   *     empty, or holds U+0000
   */
  public static List<String> names(String kind, String where, List<String> names, String fix) {
    if (names.isEmpty()) {
      throw new IllegalArgumentException("no " + kind + " name to pass");
    }
    List<String> out = new ArrayList<>(names.size() + 1);
    out.add(END_OF_OPTIONS);
    for (String n : names) {
      out.add(checked(kind, where, n, fix));
    }
    return out;
  }

  /** One name, checked as {@link #names} does. */
  public static String checked(String kind, String where, String name, String fix) {
    if (name == null || name.isEmpty()) {
      throw new DbJobsException(ErrorCode.BAD_PARAMETER, "an empty " + kind + " name " + where);
    }
    if (name.indexOf('\0') >= 0) {
      throw new DbJobsException(
          ErrorCode.BAD_PARAMETER, "the " + kind + " name " + where + " contains U+0000");
    }
    if (name.startsWith("-")) {
      throw new DbJobsException(
          ErrorCode.BAD_PARAMETER,
          "the "
              + kind
              + " '"
              + name
              + "' "
              + where
              + " starts with '-', so a tool would read it as an option (a database named"
              + " --no-data would make a dump without rows): refused. "
              + fix);
    }
    return name;
  }
}
