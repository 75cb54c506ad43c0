package io.dbjobs.manager.reseed;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.db.SqlErrors;
import io.dbjobs.common.stream.ProgressListener;
import io.dbjobs.common.stream.StreamOptions;
import io.dbjobs.common.stream.StreamSender;
import io.dbjobs.common.stream.StreamTarget;
import io.dbjobs.common.tool.DefaultsFile;
import io.dbjobs.common.tool.RunningTool;
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
import javax.sql.DataSource;

/**
 * {@code logicalmaster}: the manager runs mariadb-dump against the current primary (consistent,
 * with its GTID position) and pipes its output straight into the joiner's stream. Nothing is staged
 * on the manager; the dump's end and exit status are checked before the trailer is sent.
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
                    + ") AND SCHEMA_NAME NOT LIKE '\\_dbjobs\\_old\\_%' ORDER BY 1")) {
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

  @Override
  public void send(StreamTarget target) throws InterruptedException {
    List<String> schemas = schemas();
    if (schemas.isEmpty()) {
      throw new DbJobsException(
          ErrorCode.PREFLIGHT_REFUSED,
          "the primary " + primary.name() + " has no user schema to copy");
    }
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
      argv.addAll(schemas);
      try (RunningTool dump =
              tools.start(
                  ToolCommand.of("mariadb-dump", argv).stdout(ToolCommand.Output.PIPE).build(),
                  null);
          StreamSender sender = new StreamSender()) {
        sender.send(
            target,
            dump.stdout(),
            -1,
            () -> {
              ToolResult r = dump.waitFor(Duration.ofMinutes(10));
              if (!r.ok()) {
                throw dump.failure(r, "dumping the primary " + primary.name());
              }
              return Map.of();
            },
            options,
            ProgressListener.NONE);
      }
    }
  }
}
