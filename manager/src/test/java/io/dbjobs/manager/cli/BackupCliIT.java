package io.dbjobs.manager.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dbjobs.common.backup.BackupPosition;
import io.dbjobs.manager.fixture.NodeTools;
import io.dbjobs.manager.fixture.PlayAgent;
import io.dbjobs.manager.fixture.Positions;
import io.dbjobs.manager.fixture.TableAgent;
import io.dbjobs.testkit.ConfigFiles;
import io.dbjobs.testkit.DbServer;
import io.dbjobs.testkit.DbUsers;
import io.dbjobs.testkit.MariaDbCluster;
import java.io.PrintWriter;
import java.io.RandomAccessFile;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code dbjobs backup}, {@code backups} and {@code logs} end to end against a real server, its
 * real jobs table and the real tools, with a stand-in agent ({@link TableAgent}) until the agent's
 * handlers are merged.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BackupCliIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String AGENT_PASSWORD = "agent-" + UUID.randomUUID();
  private static final String MANAGER_PASSWORD = "manager-" + UUID.randomUUID();

  @TempDir static Path dir;
  private static MariaDbCluster cluster;
  private static DbServer node;
  private static Path managerYml;
  private static NodeTools tools;
  private static PlayAgent play;
  private static TableAgent agent;
  private static String physicalId;
  private static String logicalId;

  @BeforeAll
  static void start() throws Exception {
    cluster = MariaDbCluster.start("bk", 1);
    node = cluster.primary();
    DbUsers.create(node, AGENT_PASSWORD, MANAGER_PASSWORD, false);
    node.execute(
        "CREATE DATABASE app",
        "CREATE TABLE app.t (id INT PRIMARY KEY, v VARCHAR(100))",
        "INSERT INTO app.t VALUES (1, 'one'), (2, 'two')");
    Path pw = ConfigFiles.secret(dir, "manager.password", MANAGER_PASSWORD);
    managerYml =
        ConfigFiles.write(
            dir.resolve("manager.yml"),
            ConfigFiles.managerYaml(
                "shop",
                List.of(node),
                pw,
                dir.resolve("catalog"),
                "receiver:\n  bind: 127.0.0.1\n  port: 0\n  advertise: 127.0.0.1\n"));
    tools = new NodeTools(node, Files.createDirectories(dir.resolve("tools")));
    play = new PlayAgent(tools);
    agent = new TableAgent(node, AGENT_PASSWORD, play);
  }

  @AfterAll
  static void stop() throws Exception {
    if (agent != null) {
      agent.close();
    }
    if (play != null) {
      play.close();
    }
    if (tools != null) {
      tools.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  record Run(int exit, String out, String err) {
    JsonNode json() throws Exception {
      return JSON.readTree(out);
    }

    @Override
    public String toString() {
      return "exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
  }

  static Run cli(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    List<String> all = new ArrayList<>(List.of("--config", managerYml.toString()));
    all.addAll(List.of(args));
    int exit =
        DbJobsCli.run(
            new PrintWriter(out, true), new PrintWriter(err, true), all.toArray(String[]::new));
    return new Run(exit, out.toString(), err.toString());
  }

  private static String sha256(Path f) throws Exception {
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    try (var in = Files.newInputStream(f)) {
      byte[] buf = new byte[1 << 20];
      int n;
      while ((n = in.read(buf)) > 0) {
        md.update(buf, 0, n);
      }
    }
    return HexFormat.of().formatHex(md.digest());
  }

  private static BackupPosition manifestPosition(JsonNode m) {
    return new BackupPosition(
        m.get("gtid").asText(), m.get("binlogFile").asText(), m.get("binlogPos").asLong());
  }

  @Test
  @Order(1)
  void physicalBackupLandsInTheCatalogWithTheToolsOwnPosition() throws Exception {
    Run r = cli("backup", "--node", "bk1", "--type", "physical", "--json");
    assertThat(r.exit()).as(r.toString()).isZero();
    JsonNode b = r.json().get("backup");
    physicalId = b.get("id").asText();
    assertThat(physicalId).matches("\\d{8}T\\d{6}Z-bk1-physical");
    Path folder = dir.resolve("catalog/shop/bk1/" + physicalId);
    assertThat(Path.of(b.get("dir").asText())).isEqualTo(folder);
    Path data = folder.resolve("backup.xbstream");
    JsonNode m = JSON.readTree(folder.resolve("manifest.json").toFile());
    assertThat(m.get("id").asText()).isEqualTo(physicalId);
    assertThat(m.get("cluster").asText()).isEqualTo("shop");
    assertThat(m.get("node").asText()).isEqualTo("bk1");
    assertThat(m.get("type").asText()).isEqualTo("physical");
    assertThat(m.get("format").asText()).isEqualTo("xbstream");
    assertThat(m.get("contentCompression").asText()).isEqualTo("none");
    assertThat(m.get("tool").asText()).isEqualTo("mariadb-backup");
    assertThat(m.get("toolVersion").asText()).isEqualTo(NodeTools.version("mariadb-backup"));
    assertThat(m.get("serverVersion").asText()).isEqualTo(node.value("SELECT @@version"));
    assertThat(m.get("bytes").asLong()).isEqualTo(Files.size(data));
    assertThat(m.get("sha256").asText()).isEqualTo(sha256(data));
    assertThat(m.get("startedAt").asText()).isNotBlank();
    assertThat(m.get("endedAt").asText()).isNotBlank();
    // the job: its row succeeded with the same digest, and the manifest names it
    List<String> row =
        node.column(
            "SELECT CONCAT_WS(' ', id, state, digest, server, port) FROM"
                + " replication_manager_schema.jobs WHERE task='backup-physical' ORDER BY id DESC"
                + " LIMIT 1");
    String[] f = row.get(0).split(" ");
    assertThat(m.get("jobId").asLong()).isEqualTo(Long.parseLong(f[0]));
    assertThat(f[1]).isEqualTo("4");
    assertThat(f[2]).isEqualTo(m.get("sha256").asText());
    assertThat(f[3]).isEqualTo("127.0.0.1");
    // the position is what mariadb-backup itself wrote, and the server's (nothing ran since)
    BackupPosition tool = Positions.ofXbstream(data, dir.resolve("extract-physical"));
    assertThat(manifestPosition(m)).isEqualTo(tool);
    assertThat(tool.gtid()).isEqualTo(node.value("SELECT @@gtid_binlog_pos"));
    assertThat(m.get("positionSource").asText()).isEqualTo("backup");
    // the extracted backup holds the data
    List<String> files;
    try (var w = Files.walk(dir.resolve("extract-physical"))) {
      files = w.map(p -> dir.resolve("extract-physical").relativize(p).toString()).toList();
    }
    // (a table created just before the backup comes as app/t.new; --prepare makes it app/t.ibd)
    assertThat(files).contains("app/t.frm", "xtrabackup_binlog_info");
  }

  @Test
  @Order(2)
  void logicalBackupLandsWithTheDumpsOwnPositionAndShowsProgress() throws Exception {
    node.execute("INSERT INTO app.t VALUES (3, 'three')");
    Run r =
        cli(
            "backup",
            "--node",
            "bk1",
            "--type",
            "logical",
            "--compression",
            "zstd",
            "--param",
            "format=sql");
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out())
        .containsPattern(
            "job \\d+ queued on bk1: backup-logical, its agent sends the stream to 127\\.0\\.0\\.1:\\d+")
        .contains("-bk1-logical stored: ")
        .contains("succeeded after")
        .contains("retention (last 3, 7 daily, 4 weekly): nothing to delete");
    List<String> ids;
    try (var s = Files.list(dir.resolve("catalog/shop/bk1"))) {
      ids = s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith("-logical")).toList();
    }
    assertThat(ids).hasSize(1);
    logicalId = ids.get(0);
    Path folder = dir.resolve("catalog/shop/bk1/" + logicalId);
    JsonNode m = JSON.readTree(folder.resolve("manifest.json").toFile());
    assertThat(m.get("format").asText()).isEqualTo("sql");
    assertThat(m.get("dataFile").asText()).isEqualTo("dump.sql.zst");
    assertThat(m.get("contentCompression").asText()).isEqualTo("zstd");
    assertThat(m.get("wireCompression").asText()).isEqualTo("zstd");
    assertThat(m.get("tool").asText()).isEqualTo("mariadb-dump");
    Path data = folder.resolve("dump.sql.zst");
    assertThat(m.get("sha256").asText()).isEqualTo(sha256(data));
    BackupPosition dump = Positions.ofDump(data);
    assertThat(dump.binlogFile()).isNotNull();
    assertThat(manifestPosition(m)).isEqualTo(dump);
    assertThat(dump.gtid()).isEqualTo(node.value("SELECT @@gtid_binlog_pos"));
    // the agent's trailer position agrees (a zstd dump is not re-read by the receiver)
    assertThat(m.get("positionSource").asText()).isEqualTo("agent");
  }

  @Test
  @Order(3)
  void backupsListsCompleteBackupsNewestFirst() throws Exception {
    Run r = cli("backups");
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out()).contains("ID", "POSITION", "STATUS", physicalId, logicalId);
    assertThat(r.out().indexOf(logicalId)).isLessThan(r.out().indexOf(physicalId));
    assertThat(r.out()).doesNotContain("incomplete");
    JsonNode j = cli("backups", "--node", "bk1", "--json").json();
    assertThat(j.get("backups")).hasSize(2);
    assertThat(j.get("backups").get(0).get("id").asText()).isEqualTo(logicalId);
    assertThat(j.get("backups").get(1).get("status").asText()).isEqualTo("stored");
    assertThat(j.get("incomplete")).isEmpty();
  }

  @Test
  @Order(4)
  void verifyPassesThenFailsAfterAByteOfTheStoredFileFlips() throws Exception {
    Run ok = cli("backups", "verify", physicalId);
    assertThat(ok.exit()).as(ok.toString()).isZero();
    assertThat(ok.out())
        .contains("backup " + physicalId + " verified")
        .contains("matches its manifest");
    assertThat(cli("backups", "verify", logicalId).exit()).isZero();
    Path data = dir.resolve("catalog/shop/bk1/" + physicalId + "/backup.xbstream");
    try (RandomAccessFile f = new RandomAccessFile(data.toFile(), "rw")) {
      long at = f.length() / 2;
      f.seek(at);
      int b = f.read();
      f.seek(at);
      f.write(b ^ 0x01);
    }
    Run bad = cli("backups", "verify", physicalId);
    assertThat(bad.exit()).as(bad.toString()).isEqualTo(1);
    assertThat(bad.out()).contains("FAILED verification").contains("SHA-256 of backup.xbstream is");
    assertThat(bad.err()).contains("did not match its manifest (DIGEST_MISMATCH)");
    JsonNode listed = cli("backups", "--json").json().get("backups");
    JsonNode entry = listed.get(1);
    assertThat(entry.get("id").asText()).isEqualTo(physicalId);
    assertThat(entry.get("status").asText()).isEqualTo("FAILED-VERIFY");
    assertThat(entry.get("good").asBoolean()).isFalse();
    Run missing = cli("backups", "verify", "20200101T000000Z-bk1-physical");
    assertThat(missing.exit()).isEqualTo(5);
  }

  @Test
  @Order(5)
  void pruneDryRunExplainsAndDeletesNothing() {
    Run r = cli("backups", "prune", "--dry-run");
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out())
        .contains("dry run, nothing deleted")
        .contains("keep    " + logicalId + "  (newest good backup")
        .contains("would delete " + physicalId + "  (failed verification on");
    assertThat(dir.resolve("catalog/shop/bk1/" + physicalId + "/manifest.json")).exists();
  }

  @Test
  @Order(6)
  void logsCollectStoresTheErrorLogAndShowPrintsItsEnd() throws Exception {
    Run r = cli("logs", "collect", "--node", "bk1", "--kind", "error", "--json");
    assertThat(r.exit()).as(r.toString()).isZero();
    JsonNode c = r.json();
    Path stored = Path.of(c.get("file").asText());
    assertThat(stored.getParent()).isEqualTo(dir.resolve("catalog/shop/bk1/logs/error"));
    assertThat(stored.getFileName().toString()).matches("\\d{8}T\\d{6}Z\\.log");
    assertThat(c.get("logFile").asText()).isEqualTo(node.errorLog().toString());
    assertThat(c.get("sha256").asText()).isEqualTo(sha256(stored));
    assertThat(Files.readString(node.errorLog())).startsWith(Files.readString(stored));
    assertThat(stored.resolveSibling(stored.getFileName().toString().replace(".log", ".json")))
        .exists();
    Run show = cli("logs", "show", "--node", "bk1", "--kind", "error", "--lines", "3");
    assertThat(show.exit()).as(show.toString()).isZero();
    List<String> lines = Files.readAllLines(stored);
    assertThat(show.out().lines().toList())
        .isEqualTo(lines.subList(lines.size() - 3, lines.size()));
    assertThat(show.err()).contains("# error log of bk1 (" + node.errorLog() + ")");
    Run none = cli("logs", "show", "--node", "bk1", "--kind", "slow");
    assertThat(none.exit()).isEqualTo(5);
    assertThat(none.err()).contains("no slow log of bk1 has been collected yet");
  }

  @Test
  @Order(7)
  void helpTeaches() {
    Run r = cli("backups", "import", "--help");
    assertThat(r.exit()).isZero();
    assertThat(r.out()).contains("xtrabackup_binlog_info").contains("--master-data=2");
    assertThat(cli("backup", "--help").out()).contains("manifest.json").contains("Exit status");
    Run usage = cli("backup", "--node", "bk1", "--type", "incremental");
    assertThat(usage.exit()).isEqualTo(2);
    assertThat(usage.err()).contains("'incremental' is not a backup type; use physical or logical");
  }
}
