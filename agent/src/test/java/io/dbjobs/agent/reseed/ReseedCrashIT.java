package io.dbjobs.agent.reseed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dbjobs.agent.AgentFixture;
import io.dbjobs.agent.AgentProcess;
import io.dbjobs.agent.task.reseed.CrashPoint;
import io.dbjobs.agent.task.reseed.CrashPoints;
import io.dbjobs.common.job.Job;
import io.dbjobs.common.job.JobState;
import io.dbjobs.common.job.NewJob;
import io.dbjobs.common.job.Task;
import io.dbjobs.common.job.TaskStreamParams;
import io.dbjobs.common.stream.ProgressListener;
import io.dbjobs.common.stream.SendResult;
import io.dbjobs.common.stream.StreamOptions;
import io.dbjobs.common.stream.StreamSecret;
import io.dbjobs.common.stream.StreamSender;
import io.dbjobs.common.stream.StreamTarget;
import io.dbjobs.testkit.ConfigFiles;
import io.dbjobs.testkit.DbBackend;
import io.dbjobs.testkit.DbServer;
import io.dbjobs.testkit.DbUsers;
import io.dbjobs.testkit.FidelityData;
import io.dbjobs.testkit.FreePorts;
import io.dbjobs.testkit.MariaDbCluster;
import io.dbjobs.testkit.Shell;
import io.dbjobs.testkit.TableChecksums;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real joiner agent process killed by a crash point in the middle of a reseed (exit 137, as after
 * {@code kill -9}), then started again, on a real primary and replica: the restarted agent settles
 * the reseed before it claims anything, the node serves its old data (rolled back) or the new,
 * verified data (finished) with every table's checksum equal to that side, no staging or old-data
 * folder and no journal is left, the job row says which, and a reseed run again succeeds.
 */
class ReseedCrashIT {
  private static final Duration WAIT = Duration.ofMinutes(3);
  @TempDir static Path dir;
  private static MariaDbCluster cluster;
  private static AgentFixture joiner;
  private static Path backup;
  private static Path backupWithDonorReplication;
  private static Path config;
  private static int streamPort;
  private AgentProcess agent;

  @BeforeAll
  static void start() throws Exception {
    cluster = MariaDbCluster.start("rsc", 2);
    FidelityData.create(cluster.primary());
    cluster.awaitReplication(Duration.ofSeconds(60));
    // a physical restore brings the donor's users: the primary (the donor here) has the agent's
    DbUsers.create(
        cluster.primary(), AgentFixture.AGENT_PASSWORD, AgentFixture.MANAGER_PASSWORD, true);
    joiner =
        new AgentFixture(cluster.node(2), Files.createDirectories(dir.resolve("joiner")), true);
    Path repl = ConfigFiles.secret(dir, "repl.password", DbBackend.local().replicationPassword());
    streamPort = FreePorts.next();
    config =
        joiner.writeConfig(
            "jobs:\n  pollInterval: 100ms\n  sweepInterval: 500ms\n"
                + "stream:\n  port: "
                + streamPort
                + "\nreseed:\n  replicationPassword: {file: "
                + repl
                + "}\n  catchUpTimeout: 2m\n");
    backup = physicalBackup(cluster.primary());
    backupWithDonorReplication = withDonorReplication(backup);
  }

  /**
   * The backup with a donor's replication settings in it (as other tools or versions copy them):
   * {@code master.info} and {@code relay-log.info} of a replica of 127.0.0.9:3999, appended as
   * xbstream entries.
   */
  private static Path withDonorReplication(Path backup) throws IOException {
    DbServer replica = cluster.node(2);
    String primaryPort = Integer.toString(cluster.primary().port());
    List<String> info =
        Files.readAllLines(replica.dataDir().resolve("master.info")).stream()
            .map(l -> l.equals("127.0.0.1") ? "127.0.0.9" : l.equals(primaryPort) ? "3999" : l)
            .toList();
    assertThat(info).contains("127.0.0.9", "3999");
    Path extra = Files.createDirectories(dir.resolve("donor-replication"));
    Files.write(extra.resolve("master.info"), info);
    Files.copy(replica.dataDir().resolve("relay-log.info"), extra.resolve("relay-log.info"));
    Path entries = dir.resolve("donor-replication.xbstream");
    Shell.check(
        60,
        "/bin/sh",
        "-c",
        "cd " + extra + " && mbstream -c master.info relay-log.info > " + entries);
    Path out = dir.resolve("backup-with-donor-replication.xbstream");
    Shell.check(60, "/bin/sh", "-c", "cat " + backup + " " + entries + " > " + out);
    return out;
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
  void stopAgent() throws InterruptedException {
    if (agent != null && agent.isAlive()) {
      agent.terminate(WAIT);
    }
    if (!cluster.node(2).answers()) {
      cluster.node(2).start();
    }
  }

  @Test
  void killedWhileMovingTheOldDataOutTheSwapIsRolledBackAtRestart() throws Exception {
    DbServer node2 = cluster.node(2);
    String marker = markOldData();
    Map<String, String> oldTables = TableChecksums.of(node2);

    long id = physicalReseedKilledAt(CrashPoint.SWAP_OUT_HALF, backup);
    assertThat(node2.answers())
        .as("killed with the server stopped, the datadir half moved")
        .isFalse();

    agent = AgentProcess.start(config, dir.resolve("out-half-restart.log"));
    Job settled = joiner.await(id, JobState.FAILED, WAIT);
    assertThat(settled.errorCode()).isEqualTo("ROLLED_BACK");
    assertThat(settled.result())
        .startsWith("settled after restart: rolled back (the old data serves again)")
        .contains("old entries moved out were put back");
    assertThat(node2.value("SELECT note FROM fidelity.legacy_myisam WHERE id=99"))
        .isEqualTo(marker);
    assertThat(TableChecksums.of(node2)).isEqualTo(oldTables);
    assertThat(MariaDbCluster.replicationStatus(node2)).contains("io=Yes sql=Yes");
    assertThat(agent.log()).contains("settled after restart: rolled back");
    assertNothingLeft();

    rerunSucceeds();
  }

  @Test
  void killedAfterTheNewDataWasVerifiedTheSwapIsFinishedAtRestart() throws Exception {
    DbServer node2 = cluster.node(2);
    markOldData();

    long id = physicalReseedKilledAt(CrashPoint.SWAP_VERIFIED, backupWithDonorReplication);
    assertThat(node2.column("SHOW ALL SLAVES STATUS"))
        .as("the new data started without the donor's replication settings (127.0.0.9:3999)")
        .isEmpty();

    agent = AgentProcess.start(config, dir.resolve("verified-restart.log"));
    Job settled = joiner.await(id, JobState.SUCCEEDED, WAIT);
    assertThat(settled.result())
        .startsWith("settled after restart: finished: the new data had been verified serving")
        .contains("replicating from 127.0.0.1:" + cluster.primary().port())
        .contains("the old data was deleted");
    cluster.awaitReplication(Duration.ofSeconds(60));
    assertThat(node2.value("SELECT COUNT(*) FROM fidelity.legacy_myisam WHERE id=99"))
        .as("the old data's own row is gone")
        .isEqualTo("0");
    assertThat(TableChecksums.of(node2)).isEqualTo(TableChecksums.of(cluster.primary()));
    FidelityData.assertObjectsPresent(node2);
    assertThat(MariaDbCluster.replicationStatus(node2)).contains("io=Yes sql=Yes");
    assertThat(node2.value("SELECT @@read_only")).isEqualTo("1");
    assertThat(replicatesFrom(node2)).containsExactly("127.0.0.1:" + cluster.primary().port());
    assertThat(agent.log()).contains("settled after restart: finished");
    assertNothingLeft();

    rerunSucceeds();
  }

  @Test
  void killedAfterALogicalLoadTheOldSchemasComeBackAtRestart() throws Exception {
    DbServer node2 = cluster.node(2);
    String marker = markOldData();
    node2.execute(
        "SET SESSION sql_log_bin=0",
        "CREATE DATABASE IF NOT EXISTS local_only",
        "CREATE OR REPLACE TABLE local_only.t (id INT PRIMARY KEY, v VARCHAR(100))",
        "INSERT INTO local_only.t VALUES (1, 'mine')",
        "CREATE OR REPLACE VIEW local_only.v AS SELECT v FROM local_only.t");
    Map<String, String> oldTables = TableChecksums.of(node2);
    Path dump = dump();

    String secret = StreamSecret.mint();
    String streamId = "reseed/rsc2/" + UUID.randomUUID();
    long id;
    try (AgentProcess crashing =
        AgentProcess.crashingAt(
            CrashPoint.ASIDE_LOAD_ENDED, config, dir.resolve("load-ended.log"))) {
      id = submit(Task.RESEED_LOGICAL, secret, streamId);
      joiner.await(id, JobState.WAITING_FOR_STREAM, WAIT);
      // the agent dies once the load ran, before acknowledging the stream
      assertThatThrownBy(() -> send(secret, streamId, Files.newInputStream(dump)));
      assertThat(crashing.awaitExit(WAIT)).isEqualTo(CrashPoints.EXIT_STATUS);
    }

    agent = AgentProcess.start(config, dir.resolve("load-ended-restart.log"));
    Job settled = joiner.await(id, JobState.FAILED, WAIT);
    assertThat(settled.errorCode()).isEqualTo("ROLLED_BACK");
    assertThat(settled.result())
        .startsWith("settled after restart: rolled back (the old schemas serve again)");
    assertThat(node2.value("SELECT note FROM fidelity.legacy_myisam WHERE id=99"))
        .isEqualTo(marker);
    assertThat(node2.value("SELECT v FROM local_only.v")).isEqualTo("mine");
    assertThat(TableChecksums.of(node2)).isEqualTo(oldTables);
    FidelityData.assertObjectsPresent(node2);
    assertThat(node2.column("SHOW DATABASES")).noneMatch(d -> d.startsWith("_dbjobs_old_"));
    assertNothingLeft();

    String secret2 = StreamSecret.mint();
    String streamId2 = "reseed/rsc2/" + UUID.randomUUID();
    long rerun = submit(Task.RESEED_LOGICAL, secret2, streamId2);
    joiner.await(rerun, JobState.WAITING_FOR_STREAM, WAIT);
    send(secret2, streamId2, Files.newInputStream(dump));
    joiner.await(rerun, JobState.SUCCEEDED, WAIT);
    cluster.awaitReplication(Duration.ofSeconds(60));
    assertThat(TableChecksums.of(node2, "fidelity"))
        .isEqualTo(TableChecksums.of(cluster.primary(), "fidelity"));
    assertThat(node2.column("SHOW DATABASES")).doesNotContain("local_only");
  }

  /** Submits a physical reseed to an agent armed at {@code point} and waits until it died there. */
  private long physicalReseedKilledAt(CrashPoint point, Path stream) throws Exception {
    String secret = StreamSecret.mint();
    String streamId = "reseed/rsc2/" + UUID.randomUUID();
    try (AgentProcess crashing =
        AgentProcess.crashingAt(point, config, dir.resolve(point.id() + ".log"))) {
      long id = submit(Task.RESEED_PHYSICAL, secret, streamId);
      joiner.await(id, JobState.WAITING_FOR_STREAM, WAIT);
      send(secret, streamId, Files.newInputStream(stream));
      assertThat(crashing.awaitExit(WAIT)).as(crashing.log()).isEqualTo(CrashPoints.EXIT_STATUS);
      assertThat(crashing.log()).contains("crash point " + point.id() + " reached");
      return id;
    }
  }

  private void rerunSucceeds() throws Exception {
    String secret = StreamSecret.mint();
    String streamId = "reseed/rsc2/" + UUID.randomUUID();
    long id = submit(Task.RESEED_PHYSICAL, secret, streamId);
    joiner.await(id, JobState.WAITING_FOR_STREAM, WAIT);
    send(secret, streamId, Files.newInputStream(backup));
    Job done = joiner.await(id, JobState.SUCCEEDED, WAIT);
    assertThat(done.result()).contains("caught up with");
    cluster.awaitReplication(Duration.ofSeconds(60));
    assertThat(TableChecksums.of(cluster.node(2))).isEqualTo(TableChecksums.of(cluster.primary()));
    assertNothingLeft();
  }

  /** host:port of each replication connection of {@code server}. */
  private static List<String> replicatesFrom(DbServer server) throws java.sql.SQLException {
    List<String> out = new java.util.ArrayList<>();
    try (java.sql.Connection c = server.connect();
        java.sql.Statement s = c.createStatement();
        java.sql.ResultSet rs = s.executeQuery("SHOW ALL SLAVES STATUS")) {
      while (rs.next()) {
        out.add(rs.getString("Master_Host") + ":" + rs.getInt("Master_Port"));
      }
    }
    return out;
  }

  /** A row only the joiner has, to recognise its old data. */
  private static String markOldData() {
    String marker = "old-" + UUID.randomUUID();
    cluster
        .node(2)
        .execute(
            "SET SESSION sql_log_bin=0",
            "REPLACE INTO fidelity.legacy_myisam VALUES (99, '" + marker + "')");
    return marker;
  }

  private static void assertNothingLeft() throws IOException {
    Path parent = cluster.node(2).dataDir().getParent();
    try (Stream<Path> s = Files.list(parent)) {
      assertThat(s.map(p -> p.getFileName().toString()))
          .noneMatch(n -> n.contains(".dbjobs-new-") || n.contains(".dbjobs-old-"));
    }
    Path journals = joiner.dir.resolve("work/reseed");
    if (Files.isDirectory(journals)) {
      try (Stream<Path> s = Files.list(journals)) {
        assertThat(s.map(p -> p.getFileName().toString())).isEmpty();
      }
    }
  }

  private long submit(Task task, String secret, String streamId) {
    return joiner
        .jobs
        .insert(
            new NewJob(
                task,
                Map.of(
                    TaskStreamParams.STREAM_ID,
                    streamId,
                    TaskStreamParams.PRIMARY,
                    "127.0.0.1:" + cluster.primary().port(),
                    TaskStreamParams.SOURCE,
                    "test backup of rsc1"),
                UUID.randomUUID().toString(),
                "",
                0,
                "",
                secret,
                "test"))
        .id();
  }

  private static SendResult send(String secret, String streamId, InputStream in) {
    try (StreamSender sender = new StreamSender();
        in) {
      return sender.send(
          new StreamTarget("127.0.0.1", streamPort, streamId, secret),
          in,
          -1,
          () -> Map.of(),
          StreamOptions.defaults(),
          ProgressListener.NONE);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static Path physicalBackup(DbServer donor) {
    Path cnf = ConfigFiles.adminDefaults(dir, donor);
    Path out = dir.resolve("backup-" + UUID.randomUUID() + ".xbstream");
    Path tmp = dir.resolve("bk-tmp-" + UUID.randomUUID());
    Shell.Result r =
        Shell.run(
            600,
            List.of(
                "/bin/sh",
                "-c",
                "mkdir -p "
                    + tmp
                    + " && mariadb-backup --defaults-file="
                    + cnf
                    + " --backup --stream=xbstream --target-dir="
                    + tmp
                    + " > "
                    + out));
    assertThat(r.exit()).as(r.output()).isZero();
    return out;
  }

  /** A zstd-compressed dump of the primary's fidelity schema, as backup-logical takes it. */
  private static Path dump() {
    Path cnf = ConfigFiles.adminDefaults(dir, cluster.primary());
    Path out = dir.resolve("dump-" + UUID.randomUUID() + ".sql.zst");
    Shell.Result r =
        Shell.run(
            600,
            List.of(
                "/bin/sh",
                "-c",
                "mariadb-dump --defaults-file="
                    + cnf
                    + " --single-transaction --routines --triggers --events --hex-blob"
                    + " --master-data=2 --gtid --databases fidelity | zstd -q -3 > "
                    + out));
    assertThat(r.exit()).as(r.output()).isZero();
    return out;
  }
}
