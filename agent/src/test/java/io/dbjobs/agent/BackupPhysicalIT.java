package io.dbjobs.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.dbjobs.common.backup.StreamMeta;
import io.dbjobs.common.job.Job;
import io.dbjobs.common.job.JobState;
import io.dbjobs.common.job.Task;
import io.dbjobs.common.stream.FileSink;
import io.dbjobs.common.stream.ReceiveResult;
import io.dbjobs.testkit.BackgroundWriter;
import io.dbjobs.testkit.DbServer;
import io.dbjobs.testkit.LocalMariaDb;
import io.dbjobs.testkit.MariaDbCluster;
import io.dbjobs.testkit.ServerOptions;
import io.dbjobs.testkit.TableChecksums;
import io.dbjobs.testkit.Waits;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * backup-physical end to end: a real agent runs real mariadb-backup against a primary that takes
 * writes, sends it to a test receiver, and the received stream restores to a server whose data
 * equals the replica's at the backup's GTID.
 */
class BackupPhysicalIT {
  private static final Logger LOG = LoggerFactory.getLogger(BackupPhysicalIT.class);
  private static final Duration WAIT = Duration.ofMinutes(3);
  private static MariaDbCluster cluster;
  private static AgentFixture primary;
  private static LocalMariaDb restored;
  @TempDir static Path dir;

  @BeforeAll
  static void startCluster() throws Exception {
    cluster = MariaDbCluster.start("bkphys", 2);
    assumeTrue(cluster.primary().isLocal(), "restoring needs local servers");
    DbServer p = cluster.primary();
    p.execute(
        "CREATE DATABASE shop CHARACTER SET utf8mb4",
        "CREATE DATABASE app CHARACTER SET utf8mb4",
        "CREATE TABLE shop.orders (id INT PRIMARY KEY AUTO_INCREMENT, note VARCHAR(100),"
            + " photo BLOB) ENGINE=InnoDB",
        "INSERT INTO shop.orders (note, photo) VALUES ('a', UNHEX('00FF10')), ('ü ✓', NULL)",
        "CREATE TABLE shop.legacy (id INT PRIMARY KEY, v VARCHAR(20)) ENGINE=Aria",
        "INSERT INTO shop.legacy VALUES (1, 'aria')",
        "CREATE TABLE shop.old (id INT PRIMARY KEY) ENGINE=MyISAM",
        "INSERT INTO shop.old VALUES (7)");
    TestData.filler(p, "shop", 17);
    cluster.awaitReplication(WAIT);
    primary = new AgentFixture(p, Files.createDirectories(dir.resolve("p")));
  }

  @AfterAll
  static void stopCluster() {
    if (restored != null) {
      restored.close();
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
  void restoresToTheReplicasDataAtTheBackupsGtidWhileTheApplicationWrites() throws Exception {
    DbServer replica = cluster.replicas().get(0);
    replica.execute("STOP SLAVE");
    agent = primary.startAgent("");
    Path file = dir.resolve("physical.xb");
    try (TestReceiver receiver = new TestReceiver();
        BackgroundWriter writer = BackgroundWriter.start(cluster.primary(), "app")) {
      Waits.until("the application to write", WAIT, () -> writer.rows() > 500);
      TestReceiver.Incoming in = receiver.expect(FileSink.to(file));
      long id =
          primary.jobs.insert(receiver.job(Task.BACKUP_PHYSICAL, in, Map.of("parallel", "2"))).id();
      ReceiveResult got = in.await(WAIT);
      Job done = primary.await(id, JobState.SUCCEEDED, WAIT);
      long rowsAtEnd = writer.stop();

      String sha = TestReceiver.sha256(file);
      assertThat(done.digest()).isEqualTo(sha).isEqualTo(got.sha256Hex());
      assertThat(done.bytesDone()).isEqualTo(Files.size(file)).isEqualTo(got.bytes());
      // the estimate is the datadir's size: within reach of what the stream turned out to be
      assertThat(done.bytesTotal()).isBetween(done.bytesDone() / 2, done.bytesDone() * 3 / 2);
      LOG.info("estimated {} bytes, sent {}", done.bytesTotal(), done.bytesDone());
      assertThat(done.result())
          .contains("physical backup of " + cluster.primary().name() + " by mariadb-backup")
          .contains("receiver: " + got.sinkMessage());
      Map<String, String> meta = got.metadata();
      assertThat(meta)
          .containsEntry(StreamMeta.KIND, "backup")
          .containsEntry(StreamMeta.TYPE, "physical")
          .containsEntry(StreamMeta.FORMAT, "xbstream")
          .containsEntry(StreamMeta.CONTENT_COMPRESSION, "none")
          .containsEntry(StreamMeta.TOOL, "mariadb-backup")
          .containsEntry(StreamMeta.SERVER_FLAVOR, "mariadb")
          .containsEntry(StreamMeta.NODE, cluster.primary().name())
          .containsKeys(
              StreamMeta.TOOL_VERSION,
              StreamMeta.SERVER_VERSION,
              StreamMeta.GTID,
              StreamMeta.BINLOG_FILE,
              StreamMeta.BINLOG_POS,
              StreamMeta.STARTED_AT,
              StreamMeta.ENDED_AT);
      assertThat(meta.get(StreamMeta.TOOL_VERSION)).contains("mariadb-backup");
      String gtid = meta.get(StreamMeta.GTID);
      assertThat(done.result()).contains("GTID " + gtid);

      restored = restore(file, "bkrestored");
      String binlogInfo =
          Files.readString(dir.resolve("bkrestored-files").resolve("xtrabackup_binlog_info"));
      assertThat(binlogInfo.strip())
          .isEqualTo(
              meta.get(StreamMeta.BINLOG_FILE)
                  + "\t"
                  + meta.get(StreamMeta.BINLOG_POS)
                  + "\t"
                  + gtid);
      replica.execute("START SLAVE UNTIL master_gtid_pos='" + gtid + "'");
      Waits.until(
          "the replica to stop at " + gtid,
          WAIT,
          () ->
              "No".equals(sqlThread(replica))
                  && gtid.equals(replica.value("SELECT @@gtid_slave_pos")));

      Map<String, String> expected = TableChecksums.of(replica);
      assertThat(expected).containsKeys("app.writes", "shop.orders", "shop.legacy", "shop.old");
      assertThat(TableChecksums.of(restored)).isEqualTo(expected);
      long restoredRows = Long.parseLong(restored.value("SELECT COUNT(*) FROM app.writes"));
      assertThat(restoredRows).isPositive().isLessThan(rowsAtEnd);
      LOG.info(
          "restored backup at GTID {} holds {} of the {} rows the application wrote",
          gtid,
          restoredRows,
          rowsAtEnd);
    }
  }

  /** mbstream -x, mariadb-backup --prepare, and a server started on the result. */
  private static LocalMariaDb restore(Path xbstream, String name) throws Exception {
    Path target = Files.createDirectories(dir.resolve(name));
    TestData.sh(300, "/usr/bin/mbstream -x -C " + target + " < " + xbstream);
    TestData.sh(300, "/usr/bin/mariadb-backup --prepare --target-dir=" + target + " 2>&1");
    // the server takes the datadir over; keep the backup's own position file to compare
    Path files = Files.createDirectories(dir.resolve(name + "-files"));
    Files.copy(target.resolve("xtrabackup_binlog_info"), files.resolve("xtrabackup_binlog_info"));
    return LocalMariaDb.startFromDatadir(name, 21, target, ServerOptions.defaults());
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
}
