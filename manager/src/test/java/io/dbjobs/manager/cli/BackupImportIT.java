package io.dbjobs.manager.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dbjobs.common.backup.BackupPosition;
import io.dbjobs.manager.fixture.NodeTools;
import io.dbjobs.manager.fixture.Positions;
import io.dbjobs.testkit.ConfigFiles;
import io.dbjobs.testkit.DbServer;
import io.dbjobs.testkit.MariaDbCluster;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code dbjobs backups import} of backups taken outside dbjobs with the real tools: an xbstream
 * file, a prepared backup folder and a gzip dump, each with its position read from itself.
 */
class BackupImportIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path dir;
  private static MariaDbCluster cluster;
  private static DbServer node;
  private static NodeTools tools;
  private static Path managerYml;

  @BeforeAll
  static void start() throws Exception {
    cluster = MariaDbCluster.start("im", 1);
    node = cluster.primary();
    node.execute(
        "CREATE DATABASE app",
        "CREATE TABLE app.t (id INT PRIMARY KEY, v VARCHAR(100))",
        "INSERT INTO app.t VALUES (1, 'one')");
    Path pw = ConfigFiles.secret(dir, "manager.password", "unused");
    managerYml =
        ConfigFiles.write(
            dir.resolve("manager.yml"),
            ConfigFiles.managerYaml("shop", List.of(node), pw, dir.resolve("catalog"), ""));
    tools = new NodeTools(node, Files.createDirectories(dir.resolve("tools")));
  }

  @AfterAll
  static void stop() {
    if (tools != null) {
      tools.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  record Run(int exit, String out, String err) {
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

  private static JsonNode imported(String type, Path source) throws Exception {
    Run r = cli("backups", "import", "--node", "im1", "--type", type, source.toString(), "--json");
    assertThat(r.exit()).as(r.toString()).isZero();
    JsonNode j = JSON.readTree(r.out());
    Path folder = Path.of(j.get("dir").asText());
    assertThat(folder.getParent()).isEqualTo(dir.resolve("catalog/shop/im1"));
    assertThat(folder.resolve("manifest.json")).exists();
    Run v = cli("backups", "verify", j.get("id").asText());
    assertThat(v.exit()).as(v.toString()).isZero();
    return j;
  }

  private static BackupPosition position(JsonNode j) {
    return new BackupPosition(
        j.get("gtid").asText(), j.get("binlogFile").asText(), j.get("binlogPos").asLong());
  }

  private static String sha256(Path f) throws Exception {
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    md.update(Files.readAllBytes(f));
    return HexFormat.of().formatHex(md.digest());
  }

  /** Relative path to SHA-256 of every regular file under {@code root}. */
  private static Map<String, String> tree(Path root) throws Exception {
    Map<String, String> out = new TreeMap<>();
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.filter(Files::isRegularFile).toList()) {
        out.put(root.relativize(p).toString(), sha256(p));
      }
    }
    return out;
  }

  private static String oneMoreRow(int id) {
    node.execute("INSERT INTO app.t VALUES (" + id + ", 'row')");
    return node.value("SELECT @@gtid_binlog_pos");
  }

  @Test
  void importsAnXbstreamFileWithThePositionItHolds() throws Exception {
    String gtid = oneMoreRow(10);
    Path file = dir.resolve("external.xbstream");
    tools.physicalToFile(file);
    JsonNode j = imported("physical", file);
    BackupPosition tool = Positions.ofXbstream(file, dir.resolve("x-file"));
    assertThat(position(j)).isEqualTo(tool);
    assertThat(tool.gtid()).isEqualTo(gtid);
    assertThat(j.get("origin").asText()).isEqualTo("import");
    assertThat(j.get("importedFrom").asText()).isEqualTo(file.toString());
    assertThat(j.get("tool").asText()).isEqualTo("mariadb-backup");
    assertThat(j.get("serverVersion").asText()).isEqualTo(node.value("SELECT @@version"));
    assertThat(j.get("sha256").asText()).isEqualTo(sha256(file));
    assertThat(j.get("takenAt").asText())
        .isEqualTo(
            Files.getLastModifiedTime(file)
                .toInstant()
                .truncatedTo(java.time.temporal.ChronoUnit.SECONDS)
                .toString());
  }

  @Test
  void importsAPreparedBackupFolderAsAnXbstreamThatExtractsToTheSameFiles() throws Exception {
    String gtid = oneMoreRow(20);
    Path folder = dir.resolve("external-folder");
    tools.physicalToDir(folder, true);
    JsonNode j = imported("physical", folder);
    BackupPosition tool = Positions.ofFolder(folder);
    assertThat(position(j)).isEqualTo(tool);
    assertThat(tool.gtid()).isEqualTo(gtid);
    assertThat(j.get("prepared").asBoolean()).isTrue();
    assertThat(j.get("format").asText()).isEqualTo("xbstream");
    Path back = dir.resolve("x-folder");
    Positions.extract(Path.of(j.get("dataFile").asText()), back);
    assertThat(tree(back)).isEqualTo(tree(folder));
    assertThat(back.resolve("app/t.ibd")).exists();
  }

  @Test
  void importsAGzipDumpRecompressedAsZstdWithThePositionItNames() throws Exception {
    String gtid = oneMoreRow(30);
    Path dump = dir.resolve("external.sql.gz");
    tools.dumpToGzip(dump);
    Run text = cli("backups", "import", "--node", "im1", "--type", "logical", dump.toString());
    assertThat(text.exit()).as(text.toString()).isZero();
    assertThat(text.out())
        .contains("-im1-logical imported: ")
        .contains("note: the gzip dump was re-compressed as zstd (dump.sql.zst)");
    JsonNode list = JSON.readTree(cli("backups", "--json").out()).get("backups");
    JsonNode j = null;
    for (JsonNode b : list) {
      if (b.get("type").asText().equals("logical")) {
        j = b;
      }
    }
    assertThat(j).isNotNull();
    BackupPosition tool = Positions.ofDump(dump);
    assertThat(tool.binlogFile()).isNotNull();
    assertThat(position(j)).isEqualTo(tool);
    assertThat(tool.gtid()).isEqualTo(gtid);
    assertThat(j.get("dataFile").asText()).endsWith("dump.sql.zst");
    assertThat(j.get("tool").asText()).isEqualTo("mariadb-dump");
    assertThat(cli("backups", "verify", j.get("id").asText()).exit()).isZero();
    // the stored dump is the same SQL
    try (InputStream a = new GZIPInputStream(Files.newInputStream(dump));
        InputStream b =
            new com.github.luben.zstd.ZstdInputStreamNoFinalizer(
                Files.newInputStream(Path.of(j.get("dataFile").asText())))) {
      assertThat(b.readAllBytes()).isEqualTo(a.readAllBytes());
    }
  }

  @Test
  void refusesAnInterruptedDumpOrAFolderThatIsNoBackupAndKeepsNothing() throws Exception {
    Path whole = dir.resolve("whole.sql.gz");
    tools.dumpToGzip(whole);
    byte[] sql;
    try (InputStream in = new GZIPInputStream(Files.newInputStream(whole))) {
      sql = in.readAllBytes();
    }
    Path cut = dir.resolve("cut.sql.gz");
    ByteArrayOutputStream gz = new ByteArrayOutputStream();
    try (OutputStream out = new GZIPOutputStream(gz)) {
      out.write(sql, 0, sql.length * 2 / 3);
    }
    Files.write(cut, gz.toByteArray());
    int before = JSON.readTree(cli("backups", "--json").out()).get("backups").size();
    Run r = cli("backups", "import", "--node", "im1", "--type", "logical", cut.toString());
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err())
        .contains("cannot import " + cut + ": it does not end with '-- Dump completed'");
    Path notBackup = Files.createDirectories(dir.resolve("just-a-folder"));
    Files.writeString(notBackup.resolve("notes.txt"), "hello");
    Run f = cli("backups", "import", "--node", "im1", "--type", "physical", notBackup.toString());
    assertThat(f.exit()).isEqualTo(1);
    assertThat(f.err()).contains("is not a folder made by mariadb-backup/xtrabackup --target-dir");
    Run t = cli("backups", "import", "--node", "im1", "--type", "physical", whole.toString());
    assertThat(t.err()).contains("is not an xbstream").contains("it is compressed");
    JsonNode after = JSON.readTree(cli("backups", "--json").out());
    assertThat(after.get("backups")).hasSize(before);
    assertThat(after.get("incomplete")).isEmpty();
  }
}
