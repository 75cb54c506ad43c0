package io.dbjobs.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.dbjobs.agent.task.reseed.load.PartsLoadSink;
import io.dbjobs.common.backup.StreamMeta;
import io.dbjobs.common.job.Job;
import io.dbjobs.common.job.JobState;
import io.dbjobs.common.job.Task;
import io.dbjobs.common.logical.SourceDb;
import io.dbjobs.common.stream.FileSink;
import io.dbjobs.common.stream.ReceiveResult;
import io.dbjobs.testkit.BackgroundWriter;
import io.dbjobs.testkit.ConfigFiles;
import io.dbjobs.testkit.DbServer;
import io.dbjobs.testkit.LocalMariaDb;
import io.dbjobs.testkit.MariaDbCluster;
import io.dbjobs.testkit.ServerOptions;
import io.dbjobs.testkit.TableChecksums;
import io.dbjobs.testkit.Waits;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * backup-logical end to end: real mariadb-dump through the agent, zstd-compressed, received by a
 * test receiver, decompressed and loaded into a scratch server whose data equals the replica's at
 * the dump's GTID, with views, routines, triggers, events, binary and Unicode data intact.
 */
class BackupLogicalIT {
  private static final Logger LOG = LoggerFactory.getLogger(BackupLogicalIT.class);
  private static final Duration WAIT = Duration.ofMinutes(3);
  private static final String UNICODE = "Grüße, 東京, ✓, 😀";
  private static MariaDbCluster cluster;
  private static AgentFixture primary;
  private static LocalMariaDb scratch;
  @TempDir static Path dir;

  @BeforeAll
  static void startCluster() throws Exception {
    cluster = MariaDbCluster.start("bklog", 2);
    assumeTrue(cluster.primary().isLocal(), "loading the dump needs local servers");
    DbServer p = cluster.primary();
    StringBuilder allBytes = new StringBuilder();
    for (int i = 0; i < 256; i++) {
      allBytes.append(String.format("%02X", i));
    }
    p.execute(
        "CREATE DATABASE shop CHARACTER SET utf8mb4",
        "CREATE DATABASE app CHARACTER SET utf8mb4",
        "CREATE TABLE shop.orders (id INT PRIMARY KEY AUTO_INCREMENT, note VARCHAR(100),"
            + " qty INT NOT NULL DEFAULT 1, raw VARBINARY(300), photo LONGBLOB) ENGINE=InnoDB",
        "INSERT INTO shop.orders (note, raw, photo) VALUES ('"
            + UNICODE
            + "', UNHEX('"
            + allBytes
            + "'), UNHEX(REPEAT('"
            + allBytes
            + "', 40))), ('plain', NULL, NULL)",
        "CREATE TABLE shop.audit (id INT PRIMARY KEY AUTO_INCREMENT, order_id INT, what"
            + " VARCHAR(50)) ENGINE=InnoDB",
        "CREATE TRIGGER shop.orders_audit AFTER INSERT ON shop.orders FOR EACH ROW INSERT INTO"
            + " shop.audit (order_id, what) VALUES (NEW.id, 'insert')",
        "CREATE VIEW shop.big_orders AS SELECT id, note FROM shop.orders WHERE qty > 1",
        "CREATE FUNCTION shop.twice(x INT) RETURNS INT DETERMINISTIC RETURN x * 2",
        "CREATE PROCEDURE shop.bump(IN n INT) UPDATE shop.orders SET qty = qty + n",
        "CREATE EVENT shop.nightly ON SCHEDULE EVERY 1 DAY STARTS '2035-01-01 00:00:00' DO"
            + " DELETE FROM shop.audit WHERE id < 0",
        "INSERT INTO shop.orders (note) VALUES ('after the trigger')",
        "CREATE TABLE shop.legacy (id INT PRIMARY KEY, v VARCHAR(20)) ENGINE=Aria",
        "INSERT INTO shop.legacy VALUES (1, 'aria')");
    TestData.filler(p, "shop", 17);
    cluster.awaitReplication(WAIT);
    primary = new AgentFixture(p, Files.createDirectories(dir.resolve("p")));
    scratch = LocalMariaDb.start("bklogscratch", 31, ServerOptions.defaults());
  }

  @AfterAll
  static void stopCluster() {
    if (scratch != null) {
      scratch.close();
    }
    if (primary != null) {
      primary.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  private Agent agent;

  @AfterEach
  void stopAgent() {
    if (agent != null) {
      agent.stop("test over");
    }
  }

  @Test
  void loadsToTheReplicasDataAtTheDumpsGtidWhileTheApplicationWrites() throws Exception {
    DbServer replica = cluster.replicas().get(0);
    replica.execute("STOP SLAVE");
    agent = primary.startAgent("");
    Path file = dir.resolve("logical.sql.zst");
    try (TestReceiver receiver = new TestReceiver();
        BackgroundWriter writer = BackgroundWriter.start(cluster.primary(), "app")) {
      Waits.until("the application to write", WAIT, () -> writer.rows() > 500);
      TestReceiver.Incoming in = receiver.expect(FileSink.to(file));
      long id =
          primary.jobs.insert(receiver.job(Task.BACKUP_LOGICAL, in, Map.of("format", "sql"))).id();
      ReceiveResult got = in.await(WAIT);
      Job done = primary.await(id, JobState.SUCCEEDED, WAIT);
      long rowsAtEnd = writer.stop();

      assertThat(done.digest()).isEqualTo(TestReceiver.sha256(file)).isEqualTo(got.sha256Hex());
      assertThat(done.bytesDone()).isEqualTo(Files.size(file)).isEqualTo(got.bytes());
      assertThat(done.result())
          .contains(
              "logical backup of " + cluster.primary().name() + " (app, shop) by mariadb-dump")
          .contains("compressed with zstd")
          .contains("receiver: " + got.sinkMessage());
      Map<String, String> meta = got.metadata();
      assertThat(meta)
          .containsEntry(StreamMeta.KIND, "backup")
          .containsEntry(StreamMeta.TYPE, "logical")
          .containsEntry(StreamMeta.FORMAT, "sql")
          .containsEntry(StreamMeta.CONTENT_COMPRESSION, "zstd")
          .containsEntry(StreamMeta.TOOL, "mariadb-dump")
          .containsEntry(StreamMeta.SERVER_FLAVOR, "mariadb")
          .containsKeys(
              StreamMeta.TOOL_VERSION,
              StreamMeta.GTID,
              StreamMeta.BINLOG_FILE,
              StreamMeta.BINLOG_POS,
              StreamMeta.STARTED_AT,
              StreamMeta.ENDED_AT);
      String gtid = meta.get(StreamMeta.GTID);

      Path sql = dir.resolve("logical.sql");
      TestData.sh(120, "zstd -q -d -c " + file + " > " + sql);
      assertThat(Files.readAllLines(sql).get(Files.readAllLines(sql).size() - 1))
          .startsWith("-- Dump completed");
      assertThat(Files.readString(sql))
          .contains(
              "-- CHANGE MASTER TO MASTER_LOG_FILE='"
                  + meta.get(StreamMeta.BINLOG_FILE)
                  + "', MASTER_LOG_POS="
                  + meta.get(StreamMeta.BINLOG_POS)
                  + ";")
          .contains("-- SET GLOBAL gtid_slave_pos='" + gtid + "';");
      Path cnf = ConfigFiles.adminDefaults(dir, scratch);
      TestData.sh(600, "/usr/bin/mariadb --defaults-file=" + cnf + " < " + sql);

      replica.execute("START SLAVE UNTIL master_gtid_pos='" + gtid + "'");
      Waits.until(
          "the replica to stop at " + gtid,
          WAIT,
          () ->
              "No".equals(sqlThread(replica))
                  && gtid.equals(replica.value("SELECT @@gtid_slave_pos")));
      Map<String, String> expected = TableChecksums.of(replica);
      assertThat(expected).containsKeys("app.writes", "shop.orders", "shop.audit", "shop.legacy");
      assertThat(TableChecksums.of(scratch)).isEqualTo(expected);
      long loadedRows = Long.parseLong(scratch.value("SELECT COUNT(*) FROM app.writes"));
      assertThat(loadedRows).isPositive().isLessThan(rowsAtEnd);

      assertThat(scratch.value("SELECT note FROM shop.orders WHERE id=1")).isEqualTo(UNICODE);
      assertThat(scratch.value("SELECT HEX(raw) FROM shop.orders WHERE id=1"))
          .isEqualTo(cluster.primary().value("SELECT HEX(raw) FROM shop.orders WHERE id=1"));
      assertThat(scratch.value("SELECT MD5(photo) FROM shop.orders WHERE id=1"))
          .isEqualTo(cluster.primary().value("SELECT MD5(photo) FROM shop.orders WHERE id=1"));
      assertThat(
              scratch.column(
                  "SELECT TABLE_NAME FROM information_schema.VIEWS WHERE TABLE_SCHEMA='shop'"))
          .containsExactly("big_orders");
      assertThat(
              scratch.column(
                  "SELECT CONCAT(ROUTINE_TYPE, ' ', ROUTINE_NAME) FROM information_schema.ROUTINES"
                      + " WHERE ROUTINE_SCHEMA='shop' ORDER BY 1"))
          .containsExactly("FUNCTION twice", "PROCEDURE bump");
      assertThat(scratch.value("SELECT shop.twice(21)")).isEqualTo("42");
      assertThat(
              scratch.column(
                  "SELECT TRIGGER_NAME FROM information_schema.TRIGGERS WHERE"
                      + " TRIGGER_SCHEMA='shop'"))
          .containsExactly("orders_audit");
      assertThat(
              scratch.column(
                  "SELECT EVENT_NAME FROM information_schema.EVENTS WHERE EVENT_SCHEMA='shop'"))
          .containsExactly("nightly");
      assertThat(scratch.column("SHOW DATABASES")).doesNotContain("replication_manager_schema");
      LOG.info(
          "loaded dump at GTID {} holds {} of the {} rows the application wrote",
          gtid,
          loadedRows,
          rowsAtEnd);
    }
  }

  /** Connections to the scratch server that may LOAD DATA LOCAL, as the agent's loader opens. */
  private static SourceDb loaderOf(DbServer s) {
    return () ->
        DriverManager.getConnection(
            s.jdbcUrl() + "&allowLoadLocalInfile=true", s.adminUser(), s.adminPassword());
  }

  @Test
  void aParallelBackupLoadsToTheReplicasDataAtItsGtidWhileTheApplicationWrites() throws Exception {
    DbServer replica = cluster.replicas().get(0);
    replica.execute("STOP SLAVE");
    scratch.execute("DROP DATABASE IF EXISTS shop", "DROP DATABASE IF EXISTS app");
    agent = primary.startAgent("");
    PartsLoadSink.Settings load =
        new PartsLoadSink.Settings(
            loaderOf(scratch), 2, dir.resolve("staging-" + UUID.randomUUID()), WAIT);
    // other tests of this class write app.writes too: count what is there before this one
    long rowsBefore = writtenRows();
    try (TestReceiver receiver = new TestReceiver();
        BackgroundWriter writer = BackgroundWriter.start(cluster.primary(), "app")) {
      Waits.until("the application to write", WAIT, () -> writer.rows() > 500);
      TestReceiver.Incoming in =
          receiver.expect(hello -> PartsLoadSink.start(load, () -> {}, phase -> {}));
      long id =
          primary
              .jobs
              .insert(
                  receiver.job(Task.BACKUP_LOGICAL, in, Map.of("threads", "2", "chunk-mib", "2")))
              .id();
      ReceiveResult got = in.await(WAIT);
      Job done = primary.await(id, JobState.SUCCEEDED, WAIT);
      long rowsAtEnd = writer.stop();
      assertThat(done.result())
          .contains("parallel logical backup of " + cluster.primary().name())
          .contains("2 sessions")
          .contains("snapshot lock (BACKUP STAGE BLOCK_COMMIT) waited")
          .contains("receiver: " + got.sinkMessage());
      assertThat(got.sinkMessage()).contains("loaded by 2 sessions");
      Map<String, String> meta = got.metadata();
      assertThat(meta)
          .containsEntry(StreamMeta.FORMAT, "parts")
          .containsEntry(StreamMeta.CONTENT_COMPRESSION, "zstd")
          .containsKeys(StreamMeta.GTID, StreamMeta.BINLOG_FILE, StreamMeta.BINLOG_POS);
      String gtid = meta.get(StreamMeta.GTID);
      replica.execute("START SLAVE UNTIL master_gtid_pos='" + gtid + "'");
      Waits.until(
          "the replica to stop at " + gtid,
          WAIT,
          () ->
              "No".equals(sqlThread(replica))
                  && gtid.equals(replica.value("SELECT @@gtid_slave_pos")));
      Map<String, String> expected = TableChecksums.of(replica);
      assertThat(expected).containsKeys("app.writes", "shop.orders", "shop.filler");
      assertThat(TableChecksums.of(scratch)).isEqualTo(expected);
      assertThat(Long.parseLong(scratch.value("SELECT COUNT(*) FROM app.writes")))
          .as("the snapshot holds some of this writer's rows, not all")
          .isGreaterThan(rowsBefore)
          .isLessThan(rowsBefore + rowsAtEnd);
      assertThat(scratch.value("SELECT shop.twice(21)")).isEqualTo("42");
      assertThat(
              scratch.column(
                  "SELECT TRIGGER_NAME FROM information_schema.TRIGGERS WHERE"
                      + " TRIGGER_SCHEMA='shop'"))
          .containsExactly("orders_audit");
      assertThat(load.staging()).doesNotExist();
    }
  }

  @Test
  void aSnapshotLockThatCannotBeHadFailsTheBackupWithinItsTimeoutWhileWritesGoOn()
      throws Exception {
    agent = primary.startAgent("");
    Path file = dir.resolve("never-" + UUID.randomUUID());
    try (Connection blocker = cluster.primary().connect();
        Statement b = blocker.createStatement();
        TestReceiver receiver = new TestReceiver();
        BackgroundWriter writer = BackgroundWriter.start(cluster.primary(), "app")) {
      // an application's write lock on a non-transactional table: BACKUP STAGE waits for it
      b.execute("LOCK TABLES shop.legacy WRITE");
      Waits.until("the application to write", WAIT, () -> writer.rows() > 100);
      long before = writer.rows();
      TestReceiver.Incoming in = receiver.expect(FileSink.to(file));
      long id =
          primary
              .jobs
              .insert(receiver.job(Task.BACKUP_LOGICAL, in, Map.of("lock-timeout", "2s")))
              .id();
      Job failed = primary.await(id, JobState.FAILED, WAIT);
      long during = writer.rows() - before;
      assertThat(failed.errorCode()).isEqualTo("TIMEOUT");
      assertThat(failed.result())
          .contains("could not take its snapshot lock (BACKUP STAGE BLOCK_COMMIT)")
          .contains("within 2.0s")
          .contains("nothing was dumped");
      // the InnoDB writes went on while the lock was asked for
      assertThat(during).isPositive();
      assertThat(file).doesNotExist();
      b.execute("UNLOCK TABLES");
      // nothing of the dump's lock is left: a write to a non-transactional table goes through
      cluster
          .primary()
          .execute(
              "SET SESSION lock_wait_timeout = 5",
              "INSERT INTO shop.legacy VALUES (99, 'after the lock')",
              "DELETE FROM shop.legacy WHERE id = 99");
      writer.stop();
    }
  }

  @Test
  void dumpsOnlyTheNamedDatabasesUncompressedWhenAsked() throws Exception {
    agent = primary.startAgent("");
    Path file = dir.resolve("shop-only.sql");
    try (TestReceiver receiver = new TestReceiver()) {
      TestReceiver.Incoming in = receiver.expect(FileSink.to(file));
      long id =
          primary
              .jobs
              .insert(
                  receiver.job(
                      Task.BACKUP_LOGICAL,
                      in,
                      Map.of(
                          "databases",
                          "shop",
                          "content-compression",
                          "none",
                          "compression",
                          "zstd",
                          "format",
                          "sql")))
              .id();
      ReceiveResult got = in.await(WAIT);
      primary.await(id, JobState.SUCCEEDED, WAIT);
      assertThat(got.metadata()).containsEntry(StreamMeta.CONTENT_COMPRESSION, "none");
      String head = TestData.sh(10, "head -c 20000 " + file);
      assertThat(head).contains("CREATE DATABASE").contains("`shop`").doesNotContain("`app`");
      assertThat(TestData.sh(10, "tail -n 1 " + file)).startsWith("-- Dump completed");
      assertThat(got.wireBytes()).isLessThan(got.bytes() / 2);
    }
  }

  @Test
  void failsANamedDatabaseThatDoesNotExist() {
    agent = primary.startAgent("");
    try (TestReceiver receiver = new TestReceiver()) {
      TestReceiver.Incoming in = receiver.expect(FileSink.to(dir.resolve("never.sql")));
      long id =
          primary
              .jobs
              .insert(
                  receiver.job(
                      Task.BACKUP_LOGICAL, in, Map.of("databases", "shop,nope", "format", "sql")))
              .id();
      Job failed = primary.await(id, JobState.FAILED, WAIT);
      assertThat(failed.errorCode()).isEqualTo("BAD_PARAMETER");
      assertThat(failed.result()).contains("'nope', which does not exist").contains("app, shop");
      assertThat(in.stream().isConnected()).isFalse();
    }
  }

  private static String sqlThread(DbServer replica) {
    try (var c = replica.connect();
        var s = c.createStatement();
        var rs = s.executeQuery("SHOW SLAVE STATUS")) {
      return rs.next() ? rs.getString("Slave_SQL_Running") : null;
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private static long writtenRows() {
    String exists =
        cluster
            .primary()
            .value(
                "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA='app'"
                    + " AND TABLE_NAME='writes'");
    return "0".equals(exists)
        ? 0
        : Long.parseLong(cluster.primary().value("SELECT COUNT(*) FROM app.writes"));
  }
}
