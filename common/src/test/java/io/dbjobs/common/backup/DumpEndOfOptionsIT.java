package io.dbjobs.common.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dbjobs.common.config.DatabaseEndpoint;
import io.dbjobs.common.config.Secret;
import io.dbjobs.common.tool.DefaultsFile;
import io.dbjobs.common.tool.ToolCommand;
import io.dbjobs.common.tool.ToolResult;
import io.dbjobs.common.tool.ToolRunner;
import io.dbjobs.testkit.DbBackend;
import io.dbjobs.testkit.DbServer;
import io.dbjobs.testkit.ServerOptions;
import java.io.ByteArrayInputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real mariadb-dump of this host (10.11) and names shaped like options: without {@code --} a
 * database named {@code --no-data} empties the dump; after {@code --} it is a database like any
 * other. The backup tool's own command line puts names after {@code --} and refuses such names
 * anyway; {@link TableRows} and the scanner agree on which tables have rows.
 */
class DumpEndOfOptionsIT {
  private static final Path MARIADB_DUMP = Path.of("/usr/bin/mariadb-dump");
  private static DbServer server;
  @TempDir static Path dir;

  @BeforeAll
  static void startServer() {
    server = DbBackend.local().start("dumpeoo", 1, ServerOptions.defaults());
    server.execute(
        "CREATE DATABASE shop",
        "CREATE TABLE shop.o (id INT PRIMARY KEY)",
        "INSERT INTO shop.o VALUES (1), (2)",
        "CREATE TABLE shop.empty (id INT PRIMARY KEY)",
        "CREATE TABLE shop.m (id INT) ENGINE=MyISAM",
        "INSERT INTO shop.m VALUES (5)",
        "CREATE DATABASE `--no-data`",
        "CREATE TABLE `--no-data`.t (id INT PRIMARY KEY)",
        "INSERT INTO `--no-data`.t VALUES (3)",
        "CREATE DATABASE `-x`",
        "CREATE TABLE `-x`.t (id INT PRIMARY KEY)",
        "INSERT INTO `-x`.t VALUES (4)");
  }

  @AfterAll
  static void stopServer() {
    if (server != null) {
      server.close();
    }
  }

  private static DatabaseEndpoint admin() {
    return new DatabaseEndpoint(
        server.host(),
        server.port(),
        null,
        server.adminUser(),
        new Secret(server.adminPassword(), "test"));
  }

  /** The backup tool's argv for shop, with {@code names} put where the databases go. */
  private static List<String> argv(Path cnf, boolean endOfOptions, List<String> names) {
    BackupTool tool = new MariadbDumpTool(new ToolLocation(MARIADB_DUMP, "tools.mariadbDump"));
    List<String> argv =
        new ArrayList<>(
            tool.command(BackupRequest.logical(cnf, dir, List.of("shop"), null)).argv());
    int marker = argv.indexOf("--");
    assertThat(argv.subList(marker - 1, argv.size())).containsExactly("--databases", "--", "shop");
    List<String> out = new ArrayList<>(argv.subList(0, endOfOptions ? marker + 1 : marker));
    out.addAll(names);
    return out;
  }

  private static DumpScanner dump(List<String> argv) throws Exception {
    ToolResult r =
        new ToolRunner()
            .run(
                ToolCommand.of("mariadb-dump", argv).stdout(ToolCommand.Output.CAPTURE).build(),
                Duration.ofMinutes(1));
    assertThat(r.ok()).as("mariadb-dump: " + r).isTrue();
    DumpScanner s =
        new DumpScanner(new ByteArrayInputStream(r.stdout().getBytes(StandardCharsets.UTF_8)));
    s.transferTo(OutputStream.nullOutputStream());
    assertThat(s.completed()).isTrue();
    return s;
  }

  @Test
  void withoutTheEndOfOptionsADatabaseNamedNoDataEmptiesTheDump() throws Exception {
    try (DefaultsFile cnf = DefaultsFile.write(dir, admin())) {
      DumpScanner s = dump(argv(cnf.path(), false, List.of("shop", "--no-data")));
      assertThat(s.tablesWithRows()).isEmpty();
    }
  }

  @Test
  void afterTheEndOfOptionsOptionShapedNamesAreDumpedAsDatabases() throws Exception {
    try (DefaultsFile cnf = DefaultsFile.write(dir, admin())) {
      DumpScanner s = dump(argv(cnf.path(), true, List.of("shop", "--no-data", "-x")));
      assertThat(s.tablesWithRows())
          .containsExactlyInAnyOrder(
              new TableName("shop", "o"),
              new TableName("shop", "m"),
              new TableName("--no-data", "t"),
              new TableName("-x", "t"));
      try (Connection c = server.connect()) {
        assertThat(TableRows.withRows(c, List.of("shop", "--no-data", "-x")))
            .isEqualTo(s.tablesWithRows());
      }
    }
  }

  @Test
  void theBackupToolRefusesOptionShapedNamesItself() {
    BackupTool tool = new MariadbDumpTool(new ToolLocation(MARIADB_DUMP, "tools.mariadbDump"));
    assertThatThrownBy(
            () ->
                tool.command(
                    BackupRequest.logical(
                        dir.resolve("x.cnf"), dir, List.of("shop", "--no-data"), null)))
        .hasMessageContaining("the database '--no-data' to dump starts with '-'");
    assertThat(Files.exists(MARIADB_DUMP)).isTrue();
  }
}
