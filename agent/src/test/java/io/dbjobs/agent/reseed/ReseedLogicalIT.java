package io.dbjobs.agent.reseed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.luben.zstd.Zstd;
import io.dbjobs.agent.Agent;
import io.dbjobs.agent.AgentFixture;
import io.dbjobs.common.job.Job;
import io.dbjobs.common.job.JobState;
import io.dbjobs.common.job.NewJob;
import io.dbjobs.common.job.Task;
import io.dbjobs.common.job.TaskStreamParams;
import io.dbjobs.common.logical.DumpManifest;
import io.dbjobs.common.logical.DumpOptions;
import io.dbjobs.common.logical.LogicalDump;
import io.dbjobs.common.logical.PartFormat;
import io.dbjobs.common.logical.PartHeader;
import io.dbjobs.common.logical.PartReader;
import io.dbjobs.common.logical.PartRecords;
import io.dbjobs.common.logical.PartTrailer;
import io.dbjobs.common.logical.PartWriter;
import io.dbjobs.common.stream.ProgressListener;
import io.dbjobs.common.stream.SendResult;
import io.dbjobs.common.stream.StreamOptions;
import io.dbjobs.common.stream.StreamSecret;
import io.dbjobs.common.stream.StreamSender;
import io.dbjobs.common.stream.StreamTarget;
import io.dbjobs.testkit.BackgroundWriter;
import io.dbjobs.testkit.ConfigFiles;
import io.dbjobs.testkit.DbBackend;
import io.dbjobs.testkit.DbServer;
import io.dbjobs.testkit.DbUsers;
import io.dbjobs.testkit.FidelityData;
import io.dbjobs.testkit.FreePorts;
import io.dbjobs.testkit.MariaDbCluster;
import io.dbjobs.testkit.Shell;
import io.dbjobs.testkit.TableChecksums;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * reseed-logical on a real primary + replica: the joiner is rebuilt from a zstd-compressed
 * mariadb-dump of the primary taken while a writer keeps inserting; failures put its old schemas
 * back.
 */
class ReseedLogicalIT {
  private static final Duration WAIT = Duration.ofMinutes(3);
  @TempDir static Path dir;
  private static MariaDbCluster cluster;
  private static AgentFixture joiner;
  private static Path replPassword;
  private Agent agent;
  private int streamPort;

  @BeforeAll
  static void start() throws Exception {
    cluster = MariaDbCluster.start("rsl", 2);
    FidelityData.create(cluster.primary());
    DbUsers.create(
        cluster.primary(), AgentFixture.AGENT_PASSWORD, AgentFixture.MANAGER_PASSWORD, true);
    cluster.awaitReplication(Duration.ofSeconds(60));
    joiner =
        new AgentFixture(cluster.node(2), Files.createDirectories(dir.resolve("joiner")), true);
    replPassword =
        ConfigFiles.secret(dir, "repl.password", DbBackend.local().replicationPassword());
  }

  @AfterAll
  static void stop() {
    if (joiner != null) {
      joiner.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  @AfterEach
  void stopAgent() {
    if (agent != null) {
      agent.stop("test over");
    }
  }

  /** The joiner's agent, loading dumps through one client session (the default). */
  private void startAgent() {
    startAgent(1);
  }

  /** The joiner's agent with {@code reseed.loadSessions: sessions}. */
  private void startAgent(int sessions) {
    streamPort = FreePorts.next();
    agent =
        joiner.startAgent(
            "stream:\n  port: "
                + streamPort
                + "\nreseed:\n  replicationPassword: {file: "
                + replPassword
                + "}\n  loadSessions: "
                + sessions
                + "\n");
  }

  /**
   * A dump of the primary's user schemas, as backup-logical format=sql takes it (with the history
   * of system-versioned tables), zstd-compressed.
   */
  private static Path dump(String... schemas) {
    return dumpWith("--hex-blob --dump-history", schemas);
  }

  /** A zstd-compressed dump with {@code options} (e.g. --hex-blob) of the primary's schemas. */
  private static Path dumpWith(String options, String... schemas) {
    DbServer p = cluster.primary();
    Path cnf = ConfigFiles.adminDefaults(dir, p);
    Path out = dir.resolve("dump-" + UUID.randomUUID() + ".sql.zst");
    Shell.Result r =
        Shell.run(
            600,
            List.of(
                "/bin/sh",
                "-c",
                "mariadb-dump --defaults-file="
                    + cnf
                    + " --single-transaction --routines --triggers --events "
                    + options
                    + " --master-data=2 --gtid --databases "
                    + String.join(" ", schemas)
                    + " | zstd -q -3 > "
                    + out));
    assertThat(r.exit()).as(r.output()).isZero();
    return out;
  }

  private long submit(String secret, String streamId) {
    return joiner
        .jobs
        .insert(
            new NewJob(
                Task.RESEED_LOGICAL,
                Map.of(
                    TaskStreamParams.STREAM_ID,
                    streamId,
                    TaskStreamParams.PRIMARY,
                    "127.0.0.1:" + cluster.primary().port(),
                    TaskStreamParams.SOURCE,
                    "test dump of rsl1"),
                UUID.randomUUID().toString(),
                "",
                0,
                "",
                secret,
                "test"))
        .id();
  }

  private SendResult send(String secret, String streamId, InputStream in) {
    try (StreamSender sender = new StreamSender()) {
      return sender.send(
          new StreamTarget("127.0.0.1", streamPort, streamId, secret),
          in,
          -1,
          () -> Map.of(),
          StreamOptions.defaults(),
          ProgressListener.NONE);
    }
  }

  /** The joiner's own state: a schema only it has, and a marker row in a replicated schema. */
  private static String markOldData() {
    String marker = "old-" + UUID.randomUUID();
    cluster
        .node(2)
        .execute(
            "SET SESSION sql_log_bin=0",
            "CREATE DATABASE IF NOT EXISTS local_only",
            "CREATE TABLE IF NOT EXISTS local_only.t (id INT PRIMARY KEY, v VARCHAR(100))",
            "REPLACE INTO local_only.t VALUES (1, '" + marker + "')",
            "REPLACE INTO fidelity.legacy_aria VALUES (99, '" + marker + "')");
    return marker;
  }

  private static void assertOldDataServes(String marker) {
    DbServer j = cluster.node(2);
    assertThat(j.value("SELECT v FROM local_only.t WHERE id=1")).isEqualTo(marker);
    assertThat(j.value("SELECT note FROM fidelity.legacy_aria WHERE id=99")).isEqualTo(marker);
    FidelityData.assertObjectsPresent(j);
    assertThat(j.column("SHOW DATABASES")).noneMatch(d -> d.startsWith("_dbjobs_old_"));
  }

  @Test
  void rebuildsTheJoinerFromACompressedDumpWhileTheApplicationWrites() throws Exception {
    DbServer primary = cluster.primary();
    DbServer j = cluster.node(2);
    startAgent();
    markOldData();
    try (BackgroundWriter writer = BackgroundWriter.start(primary, "app")) {
      Path dump = dump("fidelity", "app");
      String secret = StreamSecret.mint();
      String streamId = "reseed/rsl2/" + UUID.randomUUID();
      long id = submit(secret, streamId);
      joiner.await(id, JobState.WAITING_FOR_STREAM, WAIT);
      SendResult sent = send(secret, streamId, Files.newInputStream(dump));
      Job done = joiner.await(id, JobState.SUCCEEDED, WAIT);
      assertThat(done.result())
          .contains("reseeded from test dump of rsl1")
          .doesNotContain("parallel sessions")
          .contains("caught up with")
          .contains("old schemas were dropped");
      assertThat(done.digest()).isEqualTo(sent.sha256Hex());
      assertThat(writer.rows()).isPositive();
      writer.stop();
    }
    cluster.awaitReplication(Duration.ofSeconds(60));
    assertThat(TableChecksums.of(j))
        .isEqualTo(TableChecksums.of(primary))
        .containsKey("app.writes");
    FidelityData.assertObjectsPresent(j);
    // history, sequence, character sets, definers; the enabled event disabled on this replica
    FidelityData.assertSameAs(primary, j);
    assertThat(j.column("SHOW DATABASES"))
        .doesNotContain("local_only")
        .noneMatch(d -> d.startsWith("_dbjobs_old_"));
    assertThat(MariaDbCluster.replicationStatus(j)).contains("io=Yes sql=Yes");
  }

  /** Options of the parallel dumps of these tests: 2 sessions, 256 KiB chunks. */
  private static DumpOptions parallel() {
    return DumpOptions.defaults(2).withChunkBytes(256 * 1024);
  }

  /** A parallel dump of the primary, sent to the joiner as it is taken. */
  private SendResult sendParallelDump(String secret, String streamId, DumpOptions options) {
    PartWriter out = new PartWriter(1);
    try (LogicalDump dump =
            LogicalDump.start(cluster.primary()::connect, "rsl1", options, out, p -> {});
        StreamSender sender = new StreamSender()) {
      return sender.send(
          new StreamTarget("127.0.0.1", streamPort, streamId, secret),
          out.stream(),
          -1,
          () -> dump.await().position().toMeta(),
          StreamOptions.defaults(),
          ProgressListener.NONE);
    }
  }

  @Test
  void rebuildsTheJoinerFromAParallelDumpWhileTheApplicationWrites() throws Exception {
    DbServer primary = cluster.primary();
    DbServer j = cluster.node(2);
    startAgent();
    markOldData();
    try (BackgroundWriter writer = BackgroundWriter.start(primary, "app")) {
      String secret = StreamSecret.mint();
      String streamId = "reseed/rsl2/" + UUID.randomUUID();
      long id = submit(secret, streamId);
      joiner.await(id, JobState.WAITING_FOR_STREAM, WAIT);
      SendResult sent = sendParallelDump(secret, streamId, parallel());
      Job done = joiner.await(id, JobState.SUCCEEDED, WAIT);
      assertThat(done.result())
          .contains("tables (")
          .contains("loaded by 2 sessions")
          .contains("BACKUP STAGE BLOCK_COMMIT")
          .contains("caught up with")
          .contains("old schemas were dropped");
      assertThat(done.digest()).isEqualTo(sent.sha256Hex());
      // fidelity.numbers came in several chunks: more row parts than tables
      Matcher m = Pattern.compile("(\\d+) tables \\(.* from (\\d+) parts").matcher(done.result());
      assertThat(m.find()).as(done.result()).isTrue();
      assertThat(Integer.parseInt(m.group(2))).isGreaterThan(Integer.parseInt(m.group(1)) + 1);
      assertThat(writer.rows()).isPositive();
      writer.stop();
    }
    cluster.awaitReplication(Duration.ofSeconds(60));
    assertThat(TableChecksums.of(j))
        .isEqualTo(TableChecksums.of(primary))
        .containsKey("app.writes")
        .containsKey("fidelity.numbers");
    FidelityData.assertObjectsPresent(j);
    FidelityData.assertSameAs(primary, j);
    assertThat(j.column("SHOW DATABASES"))
        .doesNotContain("local_only")
        .noneMatch(d -> d.startsWith("_dbjobs_old_"));
    assertThat(MariaDbCluster.replicationStatus(j)).contains("io=Yes sql=Yes");
    assertThat(dir.resolve("joiner").resolve("work").resolve("logical-staging")).doesNotExist();
  }

  /** A parallel dump of the primary, whole, in memory. */
  private static byte[] parallelDumpBytes(DumpOptions options) throws Exception {
    PartWriter out = new PartWriter(1);
    try (LogicalDump dump =
        LogicalDump.start(cluster.primary()::connect, "rsl1", options, out, p -> {})) {
      byte[] all = out.stream().readAllBytes();
      dump.await();
      return all;
    }
  }

  /**
   * {@code container} with the last row of {@code schema.table}'s last chunk replaced by a row the
   * table cannot take (three values, the first not a number); each part's trailer made to match, so
   * only the load can find it.
   */
  private static byte[] withARowThatCannotLoad(byte[] container, String schema, String table)
      throws Exception {
    List<PartHeader> order = new ArrayList<>();
    Map<Integer, ByteArrayOutputStream> data = new HashMap<>();
    Map<Integer, PartTrailer> trailers = new HashMap<>();
    DumpManifest[] end = new DumpManifest[1];
    PartReader r =
        new PartReader(
            new PartReader.Handler() {
              @Override
              public void open(PartHeader h) {
                order.add(h);
                data.put(h.id(), new ByteArrayOutputStream());
              }

              @Override
              public void data(PartHeader h, ByteBuffer b) {
                byte[] copy = new byte[b.remaining()];
                b.get(copy);
                data.get(h.id()).writeBytes(copy);
              }

              @Override
              public void close(PartHeader h, PartTrailer t) {
                trailers.put(h.id(), t);
              }

              @Override
              public void end(DumpManifest m) {
                end[0] = m;
              }
            });
    r.feed(ByteBuffer.wrap(container));
    r.finish();
    PartHeader victim =
        order.stream()
            .filter(h -> schema.equals(h.schema()) && table.equals(h.table()))
            .filter(h -> h.chunk() == h.chunks() - 1)
            .findFirst()
            .orElseThrow();
    assertThat(victim.chunks()).as("the table comes in several chunks").isGreaterThan(1);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(PartRecords.header());
    for (PartHeader h : order) {
      byte[] z = data.get(h.id()).toByteArray();
      PartTrailer t = trailers.get(h.id());
      if (h.id() == victim.id()) {
        String raw = new String(Zstd.decompress(z, (int) t.rawBytes()), StandardCharsets.UTF_8);
        int cut = raw.lastIndexOf('\n', raw.length() - 2);
        raw = raw.substring(0, cut + 1) + "not a number\tx\ty\n";
        byte[] plain = raw.getBytes(StandardCharsets.UTF_8);
        z = Zstd.compress(plain, 1);
        t =
            new PartTrailer(
                h.id(),
                z.length,
                plain.length,
                t.rows(),
                HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(z)));
      }
      out.writeBytes(PartRecords.open(h));
      out.writeBytes(PartRecords.record(PartFormat.DATA, h.id(), z, 0, z.length));
      out.writeBytes(PartRecords.close(t));
    }
    out.writeBytes(PartRecords.end(end[0]));
    return out.toByteArray();
  }

  @Test
  void aParallelLoadThatFailsHalfWayPutsTheOldSchemasBack() throws Exception {
    startAgent();
    String marker = markOldData();
    byte[] bad = withARowThatCannotLoad(parallelDumpBytes(parallel()), "fidelity", "numbers");
    String secret = StreamSecret.mint();
    String streamId = "reseed/rsl2/" + UUID.randomUUID();
    long id = submit(secret, streamId);
    joiner.await(id, JobState.WAITING_FOR_STREAM, WAIT);
    assertThatThrownBy(() -> send(secret, streamId, new java.io.ByteArrayInputStream(bad)))
        .hasMessageContaining("fidelity.numbers");
    Job failed = joiner.await(id, JobState.FAILED, WAIT);
    assertThat(failed.result())
        .contains("loading the rows of fidelity.numbers")
        .containsAnyOf("gave warnings", "rows were dumped");
    assertOldDataServes(marker);
    assertThat(dir.resolve("joiner").resolve("work").resolve("logical-staging")).doesNotExist();
  }

  @Test
  void loadsADumpWithRawBinaryBytesAndOneInsertPerRowExactly() throws Exception {
    DbServer primary = cluster.primary();
    DbServer j = cluster.node(2);
    startAgent(4);
    markOldData();
    // no --hex-blob: binary values travel as raw bytes; one INSERT per row
    Path dump = dumpWith("--skip-extended-insert", "fidelity");
    String secret = StreamSecret.mint();
    String streamId = "reseed/rsl2/" + UUID.randomUUID();
    long id = submit(secret, streamId);
    joiner.await(id, JobState.WAITING_FOR_STREAM, WAIT);
    send(secret, streamId, Files.newInputStream(dump));
    Job done = joiner.await(id, JobState.SUCCEEDED, WAIT);
    assertThat(done.result()).contains("rows loaded through 4 parallel sessions");
    cluster.awaitReplication(Duration.ofSeconds(60));
    assertThat(TableChecksums.of(j, "fidelity")).isEqualTo(TableChecksums.of(primary, "fidelity"));
    FidelityData.assertObjectsPresent(j);
  }

  @Test
  void loadsOneTableThroughEverySessionAtOnceWithoutTheSessionsWaitingOnEachOther()
      throws Exception {
    DbServer primary = cluster.primary();
    DbServer j = cluster.node(2);
    // an empty InnoDB table, filled by hundreds of INSERTs spread over the 4 workers: with
    // transactions kept open across statements, the first insert's table lock (InnoDB's bulk
    // insert into an empty table) stalled the others until innodb_lock_wait_timeout
    primary.execute(
        "CREATE DATABASE IF NOT EXISTS bulk",
        "CREATE OR REPLACE TABLE bulk.wide (id INT AUTO_INCREMENT PRIMARY KEY, k INT,"
            + " pad CHAR(120), KEY (k)) ENGINE=InnoDB",
        "INSERT INTO bulk.wide (k, pad) SELECT seq % 997, CONCAT('row-', seq)"
            + " FROM bulk.seq_1_to_40000");
    cluster.awaitReplication(Duration.ofSeconds(60));
    startAgent(4);
    Path dump = dumpWith("--hex-blob --net-buffer-length=16384", "fidelity", "bulk");
    String secret = StreamSecret.mint();
    String streamId = "reseed/rsl2/" + UUID.randomUUID();
    long id = submit(secret, streamId);
    joiner.await(id, JobState.WAITING_FOR_STREAM, WAIT);
    send(secret, streamId, Files.newInputStream(dump));
    Job done = joiner.await(id, JobState.SUCCEEDED, WAIT);
    assertThat(done.result()).contains("rows loaded through 4 parallel sessions");
    // the table really arrived as many statements (about 65 of 16 KiB), many per worker
    assertThat(statementsOfRows(done.result())).isGreaterThan(50);
    cluster.awaitReplication(Duration.ofSeconds(60));
    assertThat(TableChecksums.of(j, "bulk")).isEqualTo(TableChecksums.of(primary, "bulk"));
    assertThat(j.value("SELECT COUNT(*) FROM bulk.wide")).isEqualTo("40000");
  }

  /** R in the load's summary "... (S statements, R of them rows)". */
  private static long statementsOfRows(String result) {
    Matcher m = Pattern.compile("(\\d+) of them rows").matcher(result);
    assertThat(m.find()).as(result).isTrue();
    return Long.parseLong(m.group(1));
  }

  @Test
  void aStreamAbortedHalfWayPutsTheOldSchemasBack() throws Exception {
    startAgent(4);
    String marker = markOldData();
    Path dump = dump("fidelity");
    String secret = StreamSecret.mint();
    String streamId = "reseed/rsl2/" + UUID.randomUUID();
    long id = submit(secret, streamId);
    joiner.await(id, JobState.WAITING_FOR_STREAM, WAIT);
    InputStream cut =
        new java.io.FilterInputStream(Files.newInputStream(dump)) {
          long seen;

          @Override
          public int read(byte[] b, int off, int len) throws java.io.IOException {
            if (seen > 2000) {
              throw new java.io.IOException("primary went away (test)");
            }
            int n = super.read(b, off, Math.min(len, 1000));
            seen += Math.max(0, n);
            return n;
          }
        };
    assertThatThrownBy(() -> send(secret, streamId, cut)).hasMessageContaining("primary went away");
    joiner.await(id, JobState.FAILED, WAIT);
    assertOldDataServes(marker);
  }

  @Test
  void aDumpThatFailsToLoadPutsTheOldSchemasBack() throws Exception {
    startAgent();
    String marker = markOldData();
    Path plain = dir.resolve("broken-" + UUID.randomUUID() + ".sql");
    Shell.check(
        60,
        "/bin/sh",
        "-c",
        "zstd -dc "
            + dump("fidelity")
            + " | sed '0,/^INSERT INTO/s//THIS IS NOT SQL; INSERT INTO/' > "
            + plain);
    String secret = StreamSecret.mint();
    String streamId = "reseed/rsl2/" + UUID.randomUUID();
    long id = submit(secret, streamId);
    joiner.await(id, JobState.WAITING_FOR_STREAM, WAIT);
    assertThatThrownBy(() -> send(secret, streamId, Files.newInputStream(plain)))
        .hasMessageContaining("loading the dump");
    Job failed = joiner.await(id, JobState.FAILED, WAIT);
    // the client fails at the bad line: seen as its exit, or as it stopping to read its input
    assertThat(failed.result())
        .containsAnyOf("mariadb exited 1", "mariadb stopped reading its input")
        .contains("ERROR 1064");
    assertOldDataServes(marker);
  }

  @Test
  void rowsAWorkerSessionCannotLoadFailTheLoadAndPutTheOldSchemasBack() throws Exception {
    startAgent(4);
    String marker = markOldData();
    Path plain = dir.resolve("badrows-" + UUID.randomUUID() + ".sql");
    // the first row statement gains a row of the wrong width: a worker session fails on it
    Shell.check(
        60,
        "/bin/sh",
        "-c",
        "zstd -dc "
            + dump("fidelity")
            + " | sed '0,/^INSERT INTO \\(.*\\) VALUES/s//INSERT INTO \\1 VALUES (1),/' > "
            + plain);
    String secret = StreamSecret.mint();
    String streamId = "reseed/rsl2/" + UUID.randomUUID();
    long id = submit(secret, streamId);
    joiner.await(id, JobState.WAITING_FOR_STREAM, WAIT);
    assertThatThrownBy(() -> send(secret, streamId, Files.newInputStream(plain)))
        .hasMessageContaining("loading the dump");
    Job failed = joiner.await(id, JobState.FAILED, WAIT);
    assertThat(failed.result())
        .contains("(session worker-1)")
        .contains("mariadb exited 1")
        .contains("ERROR 1136");
    assertOldDataServes(marker);
  }

  @Test
  void aDumpCutAtItsSourceIsRefusedAndTheOldSchemasComeBack() throws Exception {
    startAgent(4);
    String marker = markOldData();
    Path plain = dir.resolve("cut-" + UUID.randomUUID() + ".sql");
    Shell.check(
        60,
        "/bin/sh",
        "-c",
        "zstd -dc " + dump("fidelity") + " | grep -v '^-- Dump completed' > " + plain);
    String secret = StreamSecret.mint();
    String streamId = "reseed/rsl2/" + UUID.randomUUID();
    long id = submit(secret, streamId);
    joiner.await(id, JobState.WAITING_FOR_STREAM, WAIT);
    assertThatThrownBy(() -> send(secret, streamId, Files.newInputStream(plain)))
        .hasMessageContaining("Dump completed");
    joiner.await(id, JobState.FAILED, WAIT);
    assertOldDataServes(marker);
  }
}
