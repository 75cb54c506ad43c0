package io.dbjobs.agent.reseed;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbjobs.agent.Agent;
import io.dbjobs.agent.AgentFixture;
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
import io.dbjobs.testkit.BackgroundWriter;
import io.dbjobs.testkit.ConfigFiles;
import io.dbjobs.testkit.DbBackend;
import io.dbjobs.testkit.DbServer;
import io.dbjobs.testkit.FidelityData;
import io.dbjobs.testkit.FreePorts;
import io.dbjobs.testkit.MariaDbCluster;
import io.dbjobs.testkit.Shell;
import io.dbjobs.testkit.TableChecksums;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
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
 * reseed-physical on a real primary + 2 replicas: the joiner (node 2) is rebuilt from a
 * mariadb-backup stream of the donor (node 3) while a writer keeps inserting on the primary; and
 * every failure leaves the joiner's old data serving.
 */
class ReseedPhysicalIT {
  private static final Duration WAIT = Duration.ofMinutes(3);
  @TempDir static Path dir;
  private static MariaDbCluster cluster;
  private static AgentFixture joiner;
  private static AgentFixture donor;
  private static Path backup;
  private static Path replPassword;
  private Agent agent;
  private int streamPort;

  @BeforeAll
  static void start() throws Exception {
    cluster = MariaDbCluster.start("rsp", 3);
    FidelityData.create(cluster.primary());
    cluster.awaitReplication(Duration.ofSeconds(60));
    // the dbjobs users exist on every node (a physical restore brings the donor's users)
    for (DbServer s : List.of(cluster.node(1), cluster.node(3))) {
      io.dbjobs.testkit.DbUsers.create(
          s, AgentFixture.AGENT_PASSWORD, AgentFixture.MANAGER_PASSWORD, true);
    }
    joiner =
        new AgentFixture(cluster.node(2), Files.createDirectories(dir.resolve("joiner")), true);
    replPassword =
        ConfigFiles.secret(dir, "repl.password", DbBackend.local().replicationPassword());
    // a job only the donor has: it must not reach the joiner's own job history
    donor = new AgentFixture(cluster.node(3), Files.createDirectories(dir.resolve("donor")), true);
    donor.jobs.insert(NewJob.of(Task.OPTIMIZE, Map.of(), "donor-only-job", "test"));
  }

  @AfterAll
  static void stop() {
    if (joiner != null) {
      joiner.close();
    }
    if (donor != null) {
      donor.close();
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
    if (!cluster.node(2).answers()) {
      cluster.node(2).start();
    }
  }

  private void startAgent(String extra) {
    streamPort = FreePorts.next();
    agent =
        joiner.startAgent(
            "stream:\n  port: "
                + streamPort
                + "\nreseed:\n  replicationPassword: {file: "
                + replPassword
                + "}\n"
                + extra);
  }

  /**
   * Takes a real physical backup of {@code donor} into a file, as mariadb-backup would stream it.
   */
  private static Path physicalBackup(DbServer donor) throws Exception {
    Path cnf = ConfigFiles.adminDefaults(dir, donor);
    Path out = dir.resolve("backup-" + UUID.randomUUID() + ".xbstream");
    Path tmp = Files.createDirectories(dir.resolve("bk-tmp-" + UUID.randomUUID()));
    Shell.Result r =
        Shell.run(
            600,
            List.of(
                "/bin/sh",
                "-c",
                "mariadb-backup --defaults-file="
                    + cnf
                    + " --backup --stream=xbstream --target-dir="
                    + tmp
                    + " > "
                    + out));
    assertThat(r.exit()).as(r.output()).isZero();
    return out;
  }

  private long submit(String secret, String streamId) {
    NewJob job =
        new NewJob(
            Task.RESEED_PHYSICAL,
            Map.of(
                TaskStreamParams.STREAM_ID,
                streamId,
                TaskStreamParams.PRIMARY,
                "127.0.0.1:" + cluster.primary().port(),
                TaskStreamParams.SOURCE,
                "test backup of rsp3"),
            UUID.randomUUID().toString(),
            "",
            0,
            "",
            secret,
            "test");
    return joiner.jobs.insert(job).id();
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

  private static void assertNoStagingLeft() throws IOException {
    Path parent = cluster.node(2).dataDir().getParent();
    try (Stream<Path> s = Files.list(parent)) {
      assertThat(s.map(p -> p.getFileName().toString()))
          .noneMatch(n -> n.contains(".dbjobs-new-") || n.contains(".dbjobs-old-"));
    }
  }

  @Test
  void rebuildsTheJoinerFromADonorBackupWhileTheApplicationWrites() throws Exception {
    DbServer primary = cluster.primary();
    DbServer node2 = cluster.node(2);
    startAgent("");
    try (BackgroundWriter writer = BackgroundWriter.start(primary, "app")) {
      backup = physicalBackup(cluster.node(3));
      // the joiner is broken: it lost rows locally and stopped replicating
      node2.execute("STOP SLAVE", "SET SESSION sql_log_bin=0", "DELETE FROM fidelity.visits");
      String secret = StreamSecret.mint();
      String streamId = "reseed/rsp2/" + UUID.randomUUID();
      long id = submit(secret, streamId);
      joiner.await(id, JobState.WAITING_FOR_STREAM, WAIT);
      SendResult sent = send(secret, streamId, Files.newInputStream(backup));
      Job done = joiner.await(id, JobState.SUCCEEDED, WAIT);
      assertThat(done.result())
          .contains("reseeded from test backup of rsp3")
          .contains("caught up with")
          .contains("old data was deleted");
      assertThat(done.digest()).isEqualTo(sent.sha256Hex());
      assertThat(writer.rows()).as("the writer kept writing").isPositive();
      writer.stop();
    }
    cluster.awaitReplication(Duration.ofSeconds(60));
    assertThat(TableChecksums.of(node2))
        .isEqualTo(TableChecksums.of(primary))
        .containsKey("app.writes");
    FidelityData.assertObjectsPresent(node2);
    assertThat(MariaDbCluster.replicationStatus(node2)).contains("io=Yes sql=Yes");
    assertThat(node2.value("SELECT @@read_only")).isEqualTo("1");
    // its own history came back, the donor's did not
    assertThat(node2.column("SELECT task FROM replication_manager_schema.jobs"))
        .contains("reseed-physical");
    assertThat(
            node2.value(
                "SELECT TABLE_COMMENT FROM information_schema.TABLES WHERE TABLE_NAME='jobs'"))
        .isEqualTo("dbjobs schema v" + io.dbjobs.common.jobs.JobsSchema.VERSION);
    assertNoStagingLeft();
  }

  private void assertOldDataServes(String marker) throws Exception {
    DbServer node2 = cluster.node(2);
    assertThat(node2.answers()).isTrue();
    assertThat(node2.value("SELECT note FROM fidelity.legacy_myisam WHERE id=99"))
        .isEqualTo(marker);
    assertNoStagingLeft();
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

  private static Path backupFile() throws Exception {
    if (backup == null) {
      backup = physicalBackup(cluster.node(3));
    }
    return backup;
  }

  @Test
  void aStreamAbortedHalfWayLeavesTheOldDataServing() throws Exception {
    startAgent("");
    String marker = markOldData();
    String secret = StreamSecret.mint();
    String streamId = "reseed/rsp2/" + UUID.randomUUID();
    long id = submit(secret, streamId);
    joiner.await(id, JobState.WAITING_FOR_STREAM, WAIT);
    InputStream cut =
        new FilterInputStream(Files.newInputStream(backupFile())) {
          long seen;

          @Override
          public int read(byte[] b, int off, int len) throws IOException {
            if (seen > 2_000_000) {
              throw new IOException("donor disk failed (test)");
            }
            int n = super.read(b, off, len);
            seen += Math.max(0, n);
            return n;
          }
        };
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> send(secret, streamId, cut))
        .hasMessageContaining("donor disk failed");
    Job failed = joiner.await(id, JobState.FAILED, WAIT);
    assertThat(failed.result()).contains("donor disk failed");
    assertOldDataServes(marker);
  }

  @Test
  void aCorruptedBackupIsRefusedAndTheOldDataServes() throws Exception {
    startAgent("");
    String marker = markOldData();
    Path bad = dir.resolve("corrupt-" + UUID.randomUUID() + ".xbstream");
    Files.copy(backupFile(), bad);
    try (RandomAccessFile f = new RandomAccessFile(bad.toFile(), "rw")) {
      long at = f.length() / 2;
      f.seek(at);
      int b = f.read();
      f.seek(at);
      f.write(b ^ 0x5a);
    }
    String secret = StreamSecret.mint();
    String streamId = "reseed/rsp2/" + UUID.randomUUID();
    long id = submit(secret, streamId);
    joiner.await(id, JobState.WAITING_FOR_STREAM, WAIT);
    org.assertj.core.api.Assertions.assertThatThrownBy(
        () -> send(secret, streamId, Files.newInputStream(bad)));
    Job failed = joiner.await(id, JobState.FAILED, WAIT);
    assertThat(failed.result()).contains("mbstream");
    assertOldDataServes(marker);
  }

  private static Path script(String name, String body) throws IOException {
    Path p = dir.resolve(name);
    Files.writeString(p, "#!/bin/sh\n" + body);
    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    return p;
  }

  @Test
  void aFailingPrepareLeavesTheOldDataServing() throws Exception {
    Path wrapper =
        script(
            "prepare-fails.sh",
            "for a in \"$@\"; do [ \"$a\" = \"--prepare\" ] && { echo '[00] FATAL ERROR: log sequence mismatch (test)' >&2; exit 1; }; done\n"
                + "exec /usr/bin/mariadb-backup \"$@\"\n");
    startAgent("tools:\n  mariadbBackup: " + wrapper + "\n");
    String marker = markOldData();
    String secret = StreamSecret.mint();
    String streamId = "reseed/rsp2/" + UUID.randomUUID();
    long id = submit(secret, streamId);
    joiner.await(id, JobState.WAITING_FOR_STREAM, WAIT);
    send(secret, streamId, Files.newInputStream(backupFile()));
    Job failed = joiner.await(id, JobState.FAILED, WAIT);
    assertThat(failed.errorCode()).isEqualTo("RESTORE_FAILED");
    assertThat(failed.result())
        .contains("preparing the backup")
        .contains("log sequence mismatch (test)");
    assertOldDataServes(marker);
  }

  @Test
  void aNewDatadirThatDoesNotStartIsRolledBack() throws Exception {
    // prepare succeeds, then the prepared system tablespace is damaged, so the new server cannot
    // start
    Path wrapper =
        script(
            "prepare-then-damage.sh",
            "/usr/bin/mariadb-backup \"$@\"; rc=$?\n"
                + "for a in \"$@\"; do case \"$a\" in --target-dir=*) d=\"${a#--target-dir=}\";; esac; done\n"
                + "for a in \"$@\"; do if [ \"$a\" = \"--prepare\" ] && [ $rc -eq 0 ]; then\n"
                + "  rm -f \"$d\"/ibdata1 \"$d\"/ib_logfile0; mkdir \"$d\"/ibdata1; fi; done\n"
                + "exit $rc\n");
    startAgent(
        "tools:\n  mariadbBackup: "
            + wrapper
            + "\nservice:\n"
            + "  stop: ["
            + cluster.node(2).controlScript()
            + ", stop]\n"
            + "  start: ["
            + cluster.node(2).controlScript()
            + ", start]\n"
            + "  restart: ["
            + cluster.node(2).controlScript()
            + ", restart]\n"
            + "  timeout: 20s\n");
    String marker = markOldData();
    String secret = StreamSecret.mint();
    String streamId = "reseed/rsp2/" + UUID.randomUUID();
    long id = submit(secret, streamId);
    joiner.await(id, JobState.WAITING_FOR_STREAM, WAIT);
    send(secret, streamId, Files.newInputStream(backupFile()));
    Job failed = joiner.await(id, JobState.FAILED, WAIT);
    assertThat(failed.errorCode()).isEqualTo("ROLLED_BACK");
    assertThat(failed.result()).contains("rolled back").contains("the old data serves again");
    assertOldDataServes(marker);
    assertThat(MariaDbCluster.replicationStatus(cluster.node(2))).contains("io=Yes sql=Yes");
  }
}
