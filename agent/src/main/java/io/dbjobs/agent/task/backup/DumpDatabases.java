package io.dbjobs.agent.task.backup;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.tool.ToolArguments;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The schemas a logical backup dumps: those its {@code databases} parameter names (each must
 * exist), or every schema but the system ones and dbjobs' own ({@code mysql}, {@code
 * information_schema}, {@code performance_schema}, {@code sys}, {@code
 * replication_manager_schema}). A name starting with {@code -} is refused either way: a tool would
 * read it as an option ({@link ToolArguments}).
 */
final class DumpDatabases {
  static final Set<String> NEVER_BY_DEFAULT =
      Set.of(
          "mysql", "information_schema", "performance_schema", "sys", "replication_manager_schema");

  private DumpDatabases() {}

  /**
   * @param param the {@code databases} parameter (comma-separated), or null for all user schemas
   * @throws DbJobsException BAD_PARAMETER for a name that does not exist or starts with {@code -};
   *     NOT_FOUND when the node has no user schema to dump
   */
  static List<String> resolve(Connection c, String param) throws SQLException {
    List<String> existing = new ArrayList<>();
    try (Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery("SELECT SCHEMA_NAME FROM information_schema.SCHEMATA ORDER BY 1")) {
      while (rs.next()) {
        existing.add(rs.getString(1));
      }
    }
    List<String> user = existing.stream().filter(n -> !NEVER_BY_DEFAULT.contains(n)).toList();
    if (param == null || param.isBlank()) {
      if (user.isEmpty()) {
        throw new DbJobsException(
            ErrorCode.NOT_FOUND,
            "task backup-logical: this node has no user database to dump (only "
                + String.join(", ", existing)
                + "); name databases with the 'databases' parameter");
      }
      for (String name : user) {
        ToolArguments.checked(
            "database",
            "on this node",
            name,
            "Rename it (dump it, load it under a new name, drop the old one), or back up the"
                + " other databases by naming them in the job's 'databases' parameter.");
      }
      return user;
    }
    Set<String> wanted = new LinkedHashSet<>();
    for (String raw : param.split(",")) {
      String name = raw.strip();
      if (name.isEmpty()) {
        continue;
      }
      ToolArguments.checked(
          "database",
          "in the parameter 'databases' of task backup-logical",
          name,
          "Name only databases that do not start with '-'.");
      if (!existing.contains(name)) {
        throw new DbJobsException(
            ErrorCode.BAD_PARAMETER,
            "task backup-logical: parameter 'databases' names '"
                + name
                + "', which does not exist on this node (its user databases: "
                + (user.isEmpty() ? "none" : String.join(", ", user))
                + ")");
      }
      wanted.add(name);
    }
    if (wanted.isEmpty()) {
      throw new DbJobsException(
          ErrorCode.BAD_PARAMETER, "task backup-logical: parameter 'databases' names no database");
    }
    return List.copyOf(wanted);
  }
}
