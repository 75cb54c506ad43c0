package io.dbjobs.manager.reseed;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.backup.DumpRowCheck;
import io.dbjobs.common.backup.DumpScanner;
import io.dbjobs.common.backup.TableName;
import io.dbjobs.common.backup.TableRows;
import io.dbjobs.common.db.SqlErrors;
import io.dbjobs.common.stream.ProgressListener;
import io.dbjobs.common.stream.StreamOptions;
import io.dbjobs.common.stream.StreamSender;
import io.dbjobs.common.stream.StreamTarget;
import io.dbjobs.common.tool.DefaultsFile;
import io.dbjobs.common.tool.RunningTool;
import io.dbjobs.common.tool.ToolArguments;
import io.dbjobs.common.tool.ToolCommand;
import io.dbjobs.common.tool.ToolResult;
import io.dbjobs.common.tool.ToolRunner;
import io.dbjobs.manager.config.NodeConfig;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.sql.DataSource;

/**
 * {@code logicalmaster}: the manager runs mariadb-dump against the current primary (consistent,
 * with its GTID position) and pipes its output straight into the joiner's stream. Nothing is staged
 * on the manager. The trailer goes out only when the tool exited 0, the dump ended with {@code --
 * Dump completed} and it carries rows for every table that had rows when it started and when it
 * ended ({@link DumpRowCheck}); otherwise the stream is aborted and the joiner puts its old data
 * back. Schema names go after {@code --}, and one that starts with {@code -} is refused before the
 * joiner is asked to do anything ({@link #checked()}).
 */
final class PrimaryDump implements ReseedSource {
  private static final String SYSTEM =
      "'mysql','information_schema','performance_schema','sys','replication_manager_schema'";

  private final NodeConfig primary;
  private final DataSource primaryPool;
  private final Path mariadbDump;
  private final Path workDir;
  private final ToolRunner tools;
  private final StreamOptions options;

  PrimaryDump(
      NodeConfig primary,
      DataSource primaryPool,
      Path mariadbDump,
      Path workDir,
      ToolRunner tools,
      StreamOptions options) {
    this.primary = primary;
    this.primaryPool = primaryPool;
    this.mariadbDump = mariadbDump;
    this.workDir = workDir;
    this.tools = tools;
    this.options = options;
  }

  @Override
  public String describe() {
    return "a dump of " + primary.name() + " taken now";
  }

  @Override
  public Long expectedBytes() {
    return null;
  }

  /** The primary's user schemas (never the system ones, nor dbjobs' own). */
  List<String> schemas() {
    try (Connection c = primaryPool.getConnection();
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME NOT IN ("
                    + SYSTEM
                    // '!' as the escape: '\\' is none under NO_BACKSLASH_ESCAPES
                    + ") AND SCHEMA_NAME NOT LIKE '!_dbjobs!_old!_%' ESCAPE '!' ORDER BY 1")) {
      List<String> out = new ArrayList<>();
      while (rs.next()) {
        out.add(rs.getString(1));
      }
      return out;
    } catch (SQLException e) {
      throw new DbJobsException(
          SqlErrors.classify(e),
          "cannot list the primary " + primary.name() + "'s schemas: " + SqlErrors.message(e),
          e);
    }
  }

  /**
   * This source, once the primary's schemas were checked: it has one, and none starts with {@code
   * -}.
   *
   * @throws DbJobsException PREFLIGHT_REFUSED or BAD_PARAMETER saying which schema and what to do
   */
  PrimaryDump checked() {
    schemaArguments(schemas());
    return this;
  }

  private List<String> schemaArguments(List<String> schemas) {
    if (schemas.isEmpty()) {
      throw new DbJobsException(
          ErrorCode.PREFLIGHT_REFUSED,
          "the primary " + primary.name() + " has no user schema to copy");
    }
    return ToolArguments.names(
        "schema",
        "on the primary " + primary.name(),
        schemas,
        "Rename it on the primary, or reseed with --method physicaldonor, which copies files"
            + " and passes no names to a tool.");
  }

  /** The tables of {@code schemas} with rows on the primary now ({@link TableRows}). */
  private Set<TableName> tablesWithRows(List<String> schemas, String when) {
    try (Connection c = primaryPool.getConnection()) {
      return TableRows.withRows(c, schemas);
    } catch (SQLException e) {
      throw new DbJobsException(
          SqlErrors.classify(e),
          "cannot check which tables of the primary "
              + primary.name()
              + " have rows "
              + when
              + ": "
              + SqlErrors.message(e),
          e);
    }
  }

  @Override
  public void send(StreamTarget target) throws InterruptedException {
    List<String> schemas = schemas();
    List<String> names = schemaArguments(schemas);
    Set<TableName> rowsAtStart = tablesWithRows(schemas, "before the dump");
    List<String> argv = new ArrayList<>();
    try (DefaultsFile cnf = DefaultsFile.write(workDir, primary.database())) {
      argv.add(mariadbDump.toString());
      argv.add(cnf.defaultsFileOption());
      argv.addAll(
          List.of(
              "--single-transaction",
              "--routines",
              "--triggers",
              "--events",
              "--hex-blob",
              "--master-data=2",
              "--gtid",
              "--max-allowed-packet=1G",
              "--databases"));
      argv.addAll(names);
      try (RunningTool dump =
              tools.start(
                  ToolCommand.of("mariadb-dump", argv).stdout(ToolCommand.Output.PIPE).build(),
                  null);
          StreamSender sender = new StreamSender()) {
        DumpScanner scanner = new DumpScanner(dump.stdout());
        sender.send(
            target,
            scanner,
            -1,
            () -> {
              ToolResult r = dump.waitFor(Duration.ofMinutes(10));
              if (!r.ok()) {
                throw dump.failure(r, "dumping the primary " + primary.name());
              }
              if (!scanner.completed()) {
                throw dump.failure(
                    r,
                    "mariadb-dump exited 0 but its dump of the primary "
                        + primary.name()
                        + " does not end with '-- Dump completed': the dump is incomplete");
              }
              DumpRowCheck.check(
                  "the dump of the primary " + primary.name(),
                  rowsAtStart,
                  tablesWithRows(schemas, "after the dump"),
                  scanner.tablesWithRows());
              return Map.of();
            },
            options,
            ProgressListener.NONE);
      }
    }
  }
}
