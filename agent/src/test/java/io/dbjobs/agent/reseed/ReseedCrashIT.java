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
import io.dbjobs.testkit.LocalMariaDb;
import io.dbjobs.testkit.MariaDbCluster;
import io.dbjobs.testkit.Shell;
import io.dbjobs.testkit.TableChecksums;
import io.dbjobs.testkit.Waits;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The joiner's fault matrix (issue 10, {@code docs/fault-matrix.md}), on one real primary and
 * replica: a real joiner agent process killed ({@code kill -9}, or a crash point that halts it the
 * same way) in each phase of a reseed, then started again; the joiner's server killed while it
 * receives; its staging disk full. After each fault, and after restarting what was killed, the node
 * serves its old data (rolled back; every table's checksum equal to its own before the reseed) or
 * the new, verified data (finished; equal to the primary's), no staging or old-data folder, no
 * journal and no tool process is left, the job row says which with its code, and a reseed run again
 * succeeds.
 */
class ReseedCrashIT {
  private static final Duration WAIT = Duration.ofMinutes(3);
  private static final ExecutorService SENDERS = Executors.newCachedThreadPool();
  @TempDir static Path dir;
  private static MariaDbCluster cluster;
  private static AgentFixture joiner;
  private static Path backup;
  private static Path backupWithDonorReplication;
  private static Path config;
  private static int streamPort;
  private static Path replicationPasswordFile;
  private static Path tmpfs;
  private static boolean tmpfsMounted;
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
    replicationPasswordFile =
        ConfigFiles.secret(dir, "repl.password", DbBackend.local().replicationPassword());
    streamPort = FreePorts.next();
    config = config("");
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

  /** The joiner agent's config; {@code reseedExtra} is YAML inside its {@code reseed:} block. */
  private static Path config(String reseedExtra) {
    return config(reseedExtra, "");
  }

  /** ... and {@code extra} YAML at the top level. */
  private static Path config(String reseedExtra, String extra) {
    return joiner.writeConfig(
        extra
            + "jobs:\n  pollInterval: 100ms\n  sweepInterval: 500ms\n"
            + "stream:\n  port: "
            + streamPort
            + "\nreseed:\n  replicationPassword: {file: "
            + replicationPasswordFile
            + "}\n  catchUpTimeout: 2m\n"
            + reseedExtra);
  }

  @AfterAll
  static void stop() {
    SENDERS.shutdownNow();
    try {
      if (joiner != null) {
        joiner.close();
      }
      if (cluster != null) {
        cluster.close();
      }
    } finally {
      if (tmpfsMounted) {
        Shell.check(60, "umount", tmpfs.toString());
      }
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

  /**
   * One representative crash point per phase after the stream: preparing, stopping, each half of
   * the swap, starting, repositioning, caught up. The settle at restart is what {@link
   * CrashPoint#settlesBy()} says.
   */
  @ParameterizedTest(name = "{0}")
  @EnumSource(
      value = CrashPoint.class,
      names = {
        "STAGE_PREPARED",
        "SWAP_STOPPED",
        "SWAP_OUT_HALF",
        "SWAP_IN_HALF",
        "SWAP_STARTED",
        "SWAP_REPOSITIONING",
        "SWAP_CAUGHT_UP"
      })
  void killedInEachPhaseTheReseedIsSettledAtRestart(CrashPoint point) throws Exception {
    DbServer node2 = cluster.node(2);
    String marker = markOldData();
    Map<String, String> oldTables = TableChecksums.of(node2);

    long id = physicalReseedKilledAt(point, backup);
    assertNoToolLeft();

    agent = AgentProcess.start(config, dir.resolve(point.id() + "-restart.log"));
    if (point.settlesBy() == CrashPoint.Settle.FINISH) {
      Job settled = joiner.await(id, JobState.SUCCEEDED, WAIT);
      assertThat(settled.result())
          .startsWith("settled after restart: finished: the new data had been verified serving")
          .contains("replicating from 127.0.0.1:" + cluster.primary().port());
      assertThat(agent.log()).contains("settled after restart: finished");
      cluster.awaitReplication(Duration.ofSeconds(60));
      assertThat(node2.value("SELECT COUNT(*) FROM fidelity.legacy_myisam WHERE id=99"))
          .as("the old data's own row is gone")
          .isEqualTo("0");
      assertThat(TableChecksums.of(node2)).isEqualTo(TableChecksums.of(cluster.primary()));
    } else {
      Job settled = joiner.await(id, JobState.FAILED, WAIT);
      assertThat(settled.errorCode()).isEqualTo("ROLLED_BACK");
      assertThat(settled.result())
          .startsWith("settled after restart: rolled back (the old data serves again)");
      if (point.settlesBy() == CrashPoint.Settle.NOTHING_MOVED
          || point == CrashPoint.SWAP_STOPPED) {
        assertThat(settled.result()).contains("nothing of the old data had been moved");
      } else {
        assertThat(settled.result()).contains("old entries moved out were put back");
      }
      assertThat(agent.log()).contains("settled after restart: rolled back");
      assertThat(node2.value("SELECT note FROM fidelity.legacy_myisam WHERE id=99"))
          .isEqualTo(marker);
      assertThat(TableChecksums.of(node2)).isEqualTo(oldTables);
    }
    assertThat(MariaDbCluster.replicationStatus(node2)).contains("io=Yes sql=Yes");
    assertThat(replicatesFrom(node2)).containsExactly("127.0.0.1:" + cluster.primary().port());
    assertNothingLeft();
    assertNoToolLeft();

    rerunSucceeds();
  }

  /**
   * {@code kill -9} of the agent while the stream's bytes flow into {@code mbstream}: the stream is
   * held half-way by the sender, so the kill lands while the extraction runs.
   */
  @Test
  void killedWhileReceivingTheStagedDataIsRemovedAtRestart() throws Exception {
    DbServer node2 = cluster.node(2);
    String marker = markOldData();
    Map<String, String> oldTables = TableChecksums.of(node2);

    String secret = StreamSecret.mint();
    String streamId = "reseed/rsc2/" + UUID.randomUUID();
    HeldStream held = new HeldStream(backup, Files.size(backup) / 2);
    long id;
    Future<SendResult> sending;
    try (AgentProcess receiving = AgentProcess.start(config, dir.resolve("receiving.log"))) {
      id = submit(Task.RESEED_PHYSICAL, secret, streamId, Map.of());
      joiner.await(id, JobState.WAITING_FOR_STREAM, WAIT);
      sending = SENDERS.submit(() -> send(secret, streamId, held));
      awaitExtracting(id);
      receiving.kill(); // SIGKILL, mid-stream
      assertThat(receiving.isAlive()).isFalse();
    } finally {
      held.release();
    }
    assertThatThrownBy(() -> sending.get(WAIT.toSeconds(), TimeUnit.SECONDS))
        .as("the sender sees the joiner die")
        .isInstanceOf(ExecutionException.class);
    assertNoToolLeft();
    assertThat(node2.answers()).as("the server was never touched").isTrue();

    agent = AgentProcess.start(config, dir.resolve("receiving-restart.log"));
    Job settled = joiner.await(id, JobState.FAILED, WAIT);
    assertThat(settled.errorCode()).isEqualTo("ROLLED_BACK");
    assertThat(settled.result())
        .startsWith("settled after restart: rolled back (the old data serves again)")
        .contains("the agent stopped before the datadir swap moved anything")
        .contains("nothing of the old data had been moved");
    assertThat(node2.value("SELECT note FROM fidelity.legacy_myisam WHERE id=99"))
        .isEqualTo(marker);
    assertThat(TableChecksums.of(node2)).isEqualTo(oldTables);
    assertThat(MariaDbCluster.replicationStatus(node2)).contains("io=Yes sql=Yes");
    assertNothingLeft();
    assertNoToolLeft();

    rerunSucceeds();
  }

  /**
   * {@code kill -9} of the agent while {@code mariadb-backup --prepare} runs on the staged data
   * (the agent's mariadb-backup is a wrapper that holds a prepare at its start until the test
   * releases it, so the kill lands while it runs): the prepare outlives the agent, so the restarted
   * agent kills it before it removes the staged data, then rolls back.
   */
  @Test
  void killedWhilePreparingTheOrphanedPrepareIsKilledAtRestart() throws Exception {
    DbServer node2 = cluster.node(2);
    String marker = markOldData();
    Map<String, String> oldTables = TableChecksums.of(node2);
    Path release = dir.resolve("prepare.release");
    Path held = dir.resolve("held-mariadb-backup");
    Files.writeString(
        held,
        "#!/bin/sh\n"
            + "# a prepare waits (at most 5 minutes) for the test to release it\n"
            + "case \" $* \" in *\" --prepare \"*)\n"
            + "  i=0\n"
            + "  while [ ! -e '"
            + release
            + "' ]; do sleep 0.1; i=$((i+1)); [ $i -gt 3000 ] && exit 9; done ;;\n"
            + "esac\n"
            + "exec mariadb-backup \"$@\"\n");
    Files.setPosixFilePermissions(held, PosixFilePermissions.fromString("rwxr-xr-x"));

    String secret = StreamSecret.mint();
    String streamId = "reseed/rsc2/" + UUID.randomUUID();
    long id;
    try (AgentProcess preparing =
        AgentProcess.start(
            config("", "tools:\n  mariadbBackup: " + held + "\n"), dir.resolve("preparing.log"))) {
      id = submit(Task.RESEED_PHYSICAL, secret, streamId, Map.of());
      joiner.await(id, JobState.WAITING_FOR_STREAM, WAIT);
      send(secret, streamId, Files.newInputStream(backup));
      Waits.until(
          "the prepare to run",
          WAIT,
          () -> toolsOnJoiner().stream().anyMatch(l -> l.contains("--prepare")));
      preparing.kill();
    }
    assertThat(toolsOnJoiner())
        .as("the prepare outlived the agent")
        .anyMatch(l -> l.contains("--prepare"));

    try {
      agent = AgentProcess.start(config, dir.resolve("preparing-restart.log"));
      Job settled = joiner.await(id, JobState.FAILED, WAIT);
      assertThat(settled.errorCode()).isEqualTo("ROLLED_BACK");
      assertThat(settled.result())
          .startsWith("settled after restart: rolled back (the old data serves again)")
          .contains("nothing of the old data had been moved");
      assertThat(agent.log()).contains("killed what the agent that stopped left running");
      assertThat(toolsOnJoiner()).isEmpty();
    } finally {
      Files.writeString(release, "go");
    }
    assertThat(node2.value("SELECT note FROM fidelity.legacy_myisam WHERE id=99"))
        .isEqualTo(marker);
    assertThat(TableChecksums.of(node2)).isEqualTo(oldTables);
    assertThat(MariaDbCluster.replicationStatus(node2)).contains("io=Yes sql=Yes");
    assertNothingLeft();
    assertNoToolLeft();

    rerunSucceeds();
  }

  /**
   * {@code kill -9} of the joiner's {@code mariadbd} while the stream is received: the extraction
   * needs no server and completes, but the agent swaps nothing into a server that stopped serving
   * under it (its job history could not come back): the job fails SERVER_NOT_ANSWERING, the staged
   * data goes, and the server is left down (the agent starts only a server it stopped itself). Once
   * it is started again, the outcome lands in the row, the old data serves and a reseed succeeds.
   */
  @Test
  void theJoinersServerKilledWhileReceivingFailsTheJobAndLeavesTheServerToTheOperator()
      throws Exception {
    DbServer node2 = cluster.node(2);
    String marker = markOldData();
    Map<String, String> oldTables = TableChecksums.of(node2);
    agent = AgentProcess.start(config, dir.resolve("server-killed.log"));

    String secret = StreamSecret.mint();
    String streamId = "reseed/rsc2/" + UUID.randomUUID();
    HeldStream held = new HeldStream(backup, Files.size(backup) / 2);
    long id = submit(Task.RESEED_PHYSICAL, secret, streamId, Map.of());
    joiner.await(id, JobState.WAITING_FOR_STREAM, WAIT);
    Future<SendResult> sending = SENDERS.submit(() -> send(secret, streamId, held));
    try {
      awaitExtracting(id);
      ((LocalMariaDb) node2).crash(); // SIGKILL of mariadbd
      assertThat(node2.answers()).isFalse();
    } finally {
      held.release();
    }
    assertThat(sending.get(WAIT.toSeconds(), TimeUnit.SECONDS).bytes())
        .as("the extraction needs no server: the stream completes")
        .isEqualTo(Files.size(backup));
    String log =
        Waits.until(
            "the agent to fail the job and keep its outcome until the server answers",
            WAIT,
            agent::log,
            l -> l.contains("outcome failed kept in the outbox") || l.contains("succeeded after"));
    assertThat(log).as(log).contains("outcome failed kept in the outbox");
    assertThat(agent.log()).contains("SERVER_NOT_ANSWERING");
    assertThat(node2.answers()).as("the agent did not start the server").isFalse();
    assertNothingLeft();
    assertNoToolLeft();

    node2.start(); // the operator
    Job failed = joiner.await(id, JobState.FAILED, WAIT);
    assertThat(failed.errorCode()).isEqualTo("SERVER_NOT_ANSWERING");
    assertThat(failed.result())
        .contains("the server stopped answering while the new data was received or prepared")
        .contains("nothing was swapped");
    assertThat(node2.value("SELECT note FROM fidelity.legacy_myisam WHERE id=99"))
        .isEqualTo(marker);
    assertThat(TableChecksums.of(node2)).isEqualTo(oldTables);
    Waits.until(
        "replication to run again after the crash",
        WAIT,
        () -> MariaDbCluster.replicationStatus(node2).contains("io=Yes sql=Yes"));

    rerunSucceeds();
  }

  /**
   * The staging disk fills while the stream is received: a tmpfs holds the joiner's datadir and
   * staging folder (they must share a filesystem: the swap renames), sized so that half the backup
   * fits. Known in advance (the stream's size announced), the reseed is refused before a byte;
   * unknown, the extraction hits ENOSPC and the job fails DISK_FULL, the old data serving, the
   * staged data removed. After moving the datadir back to a roomy disk, a reseed succeeds.
   */
  @Test
  void aFullStagingDiskFailsTheReseedWithDiskFullAndTheOldDataServes() throws Exception {
    Assumptions.assumeTrue(
        Shell.isRoot(), "skipped: mounting a small tmpfs as the joiner's staging disk needs root");
    DbServer node2 = cluster.node(2);
    String marker = markOldData();
    Map<String, String> oldTables = TableChecksums.of(node2);
    long backupBytes = Files.size(backup);
    tmpfs = Files.createDirectories(dir.resolve("small-disk"));
    try {
      moveDatadirToTmpfs(node2, backupBytes / 2);
      Path small = config("  stagingDir: " + tmpfs + "\n");
      agent = AgentProcess.start(small, dir.resolve("disk-full.log"));

      long refused =
          submit(
              Task.RESEED_PHYSICAL,
              StreamSecret.mint(),
              "reseed/rsc2/" + UUID.randomUUID(),
              Map.of(TaskStreamParams.EXPECTED_BYTES, Long.toString(backupBytes)));
      Job r = joiner.await(refused, JobState.FAILED, WAIT);
      assertThat(r.errorCode()).isEqualTo("PREFLIGHT_REFUSED");
      assertThat(r.result()).contains("not enough disk for the new data");

      String secret = StreamSecret.mint();
      String streamId = "reseed/rsc2/" + UUID.randomUUID();
      long id = submit(Task.RESEED_PHYSICAL, secret, streamId, Map.of());
      joiner.await(id, JobState.WAITING_FOR_STREAM, WAIT);
      assertThatThrownBy(() -> send(secret, streamId, Files.newInputStream(backup)))
          .as("the sender is told the joiner's disk is full");
      Job failed = joiner.await(id, JobState.FAILED, WAIT);
      assertThat(failed.errorCode()).isEqualTo("DISK_FULL");
      assertThat(failed.result()).contains("No space left on device").contains("the disk is full");
      assertThat(node2.value("SELECT note FROM fidelity.legacy_myisam WHERE id=99"))
          .isEqualTo(marker);
      assertThat(TableChecksums.of(node2)).isEqualTo(oldTables);
      assertThat(MariaDbCluster.replicationStatus(node2)).contains("io=Yes sql=Yes");
      try (Stream<Path> s = Files.list(tmpfs)) {
        assertThat(s.map(p -> p.getFileName().toString())).containsExactly("data");
      }
      assertNothingLeft();
      assertNoToolLeft();
      agent.terminate(WAIT);
    } finally {
      moveDatadirBack(node2);
    }

    agent = AgentProcess.start(config, dir.resolve("disk-full-rerun.log"));
    rerunSucceeds();
  }

  /**
   * Stops the joiner's server, moves its datadir onto a fresh tmpfs (the datadir path becomes a
   * symbolic link to it), shrinks the tmpfs to what the datadir uses plus {@code room}, and starts
   * the server again.
   */
  private static void moveDatadirToTmpfs(DbServer node, long room) throws IOException {
    Path data = node.dataDir();
    long used = Long.parseLong(Shell.check(60, "du", "-sb", data.toString()).split("\\s+")[0]);
    node.stop();
    Shell.check(
        60,
        "mount",
        "-t",
        "tmpfs",
        "-o",
        "size=" + (used * 2 + room + (64L << 20)),
        "tmpfs",
        tmpfs.toString());
    tmpfsMounted = true;
    Shell.check(600, "mv", data.toString(), tmpfs.resolve("data").toString());
    Files.createSymbolicLink(data, tmpfs.resolve("data"));
    java.nio.file.FileStore store = Files.getFileStore(tmpfs);
    long taken = store.getTotalSpace() - store.getUnallocatedSpace();
    long size = (taken + room + 4095) / 4096 * 4096;
    Shell.check(60, "mount", "-o", "remount,size=" + size, tmpfs.toString());
    node.start();
  }

  /** Stops the joiner's server, moves its datadir back from the tmpfs, unmounts it, starts it. */
  private static void moveDatadirBack(DbServer node) throws IOException {
    if (!tmpfsMounted) {
      return;
    }
    Path data = node.dataDir();
    node.stop();
    if (Files.isSymbolicLink(data)) {
      Files.delete(data);
      Shell.check(600, "mv", tmpfs.resolve("data").toString(), data.toString());
    }
    Shell.check(60, "umount", tmpfs.toString());
    tmpfsMounted = false;
    node.start();
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
      id = submit(Task.RESEED_LOGICAL, secret, streamId, Map.of());
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
    long rerun = submit(Task.RESEED_LOGICAL, secret2, streamId2, Map.of());
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
      long id = submit(Task.RESEED_PHYSICAL, secret, streamId, Map.of());
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
    long id = submit(Task.RESEED_PHYSICAL, secret, streamId, Map.of());
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
    for (String work : List.of("work/reseed", "work/jobs", "work/logical-staging")) {
      Path folder = joiner.dir.resolve(work);
      if (Files.isDirectory(folder)) {
        try (Stream<Path> s = Files.list(folder)) {
          assertThat(s.map(p -> p.getFileName().toString())).as(work).isEmpty();
        }
      }
    }
  }

  /**
   * No reseed tool (mbstream, mariadb-backup, ...) on the joiner's folders outlives its agent: an
   * orphan still writing would race the settle. Waits (with a deadline) for one that is exiting on
   * its own after its input closed.
   */
  private static void assertNoToolLeft() {
    List<String> left =
        Waits.until(
            "no reseed tool left on the joiner", WAIT, ReseedCrashIT::toolsOnJoiner, List::isEmpty);
    assertThat(left).isEmpty();
  }

  /** Every process naming the joiner's folders, but its server: the tools a reseed started. */
  private static List<String> toolsOnJoiner() {
    List<String> where = new java.util.ArrayList<>();
    where.add(cluster.node(2).baseDir().toString());
    if (tmpfs != null) {
      where.add(tmpfs.toString());
    }
    long self = ProcessHandle.current().pid();
    return ProcessHandle.allProcesses()
        .filter(p -> p.pid() != self)
        .filter(
            p ->
                !p.info()
                    .command()
                    .map(c -> Path.of(c).getFileName().toString().equals("mariadbd"))
                    .orElse(true))
        .map(p -> p.pid() + " " + p.info().commandLine().orElse(""))
        .filter(line -> where.stream().anyMatch(line::contains))
        .toList();
  }

  /** Waits until the job's mbstream runs and has written received bytes into the staging folder. */
  private static void awaitExtracting(long id) {
    Path staging =
        cluster
            .node(2)
            .dataDir()
            .resolveSibling(cluster.node(2).dataDir().getFileName() + ".dbjobs-new-" + id);
    Waits.until(
        "mbstream to extract received bytes into " + staging,
        WAIT,
        () ->
            toolsOnJoiner().stream()
                    .anyMatch(l -> l.contains("mbstream") && l.contains(staging.toString()))
                && sizeOf(staging) > 0);
  }

  private static long sizeOf(Path folder) {
    if (!Files.isDirectory(folder)) {
      return 0;
    }
    try (Stream<Path> s = Files.walk(folder)) {
      return s.filter(Files::isRegularFile).mapToLong(ReseedCrashIT::sizeOrZero).sum();
    } catch (IOException | java.io.UncheckedIOException e) {
      return 0; // being written or removed: not yet
    }
  }

  private static long sizeOrZero(Path file) {
    try {
      return Files.size(file);
    } catch (IOException e) {
      return 0;
    }
  }

  /**
   * A backup file as a stream that stops after {@code holdAt} bytes until released: the test acts
   * while the stream is half-way (bytes have flowed, more are to come).
   */
  private static final class HeldStream extends InputStream {
    private final InputStream in;
    private final long holdAt;
    private final CountDownLatch released = new CountDownLatch(1);
    private long read;

    HeldStream(Path file, long holdAt) throws IOException {
      this.in = Files.newInputStream(file);
      this.holdAt = holdAt;
    }

    void release() {
      released.countDown();
    }

    private void holdIfDue() throws IOException {
      if (read < holdAt) {
        return;
      }
      try {
        if (!released.await(WAIT.toSeconds(), TimeUnit.SECONDS)) {
          throw new IOException("the test never released the stream held at " + holdAt);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new java.io.InterruptedIOException("interrupted while the stream was held");
      }
    }

    @Override
    public int read() throws IOException {
      holdIfDue();
      int b = in.read();
      if (b >= 0) {
        read++;
      }
      return b;
    }

    @Override
    public int read(byte[] buf, int off, int len) throws IOException {
      holdIfDue();
      int n = in.read(buf, off, read < holdAt ? (int) Math.min(len, holdAt - read) : len);
      if (n > 0) {
        read += n;
      }
      return n;
    }

    @Override
    public void close() throws IOException {
      in.close();
    }
  }

  private long submit(Task task, String secret, String streamId, Map<String, String> extra) {
    Map<String, String> params = new java.util.HashMap<>(extra);
    params.put(TaskStreamParams.STREAM_ID, streamId);
    params.put(TaskStreamParams.PRIMARY, "127.0.0.1:" + cluster.primary().port());
    params.put(TaskStreamParams.SOURCE, "test backup of rsc1");
    return joiner
        .jobs
        .insert(new NewJob(task, params, UUID.randomUUID().toString(), "", 0, "", secret, "test"))
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
