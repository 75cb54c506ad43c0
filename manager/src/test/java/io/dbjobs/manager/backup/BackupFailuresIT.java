package io.dbjobs.manager.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.config.DatabaseEndpoint;
import io.dbjobs.common.job.JobState;
import io.dbjobs.common.stream.Compression;
import io.dbjobs.common.stream.StreamOptions;
import io.dbjobs.common.stream.StreamTls;
import io.dbjobs.manager.catalog.BackupCatalog;
import io.dbjobs.manager.catalog.BackupType;
import io.dbjobs.manager.catalog.RetentionPolicy;
import io.dbjobs.manager.config.NodeConfig;
import io.dbjobs.manager.fixture.FakeNodeJobs;
import io.dbjobs.manager.fixture.NodeTools;
import io.dbjobs.manager.fixture.PlayAgent;
import io.dbjobs.manager.receive.Receiver;
import io.dbjobs.manager.receive.ReceiverSettings;
import io.dbjobs.manager.receive.ReceivingJob;
import io.dbjobs.testkit.DbServer;
import io.dbjobs.testkit.MariaDbCluster;
import io.dbjobs.testkit.TestPki;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Backups that go wrong end with one clear message naming what failed, and leave nothing in the
 * catalog. The bytes are real mariadb-backup/mariadb-dump output from a test server; the job rows
 * are in memory ({@link FakeNodeJobs}), played by a {@link PlayAgent}.
 */
class BackupFailuresIT {
  @TempDir static Path shared;
  private static MariaDbCluster cluster;
  private static DbServer server;
  private static NodeTools tools;
  private static PlayAgent play;
  private static Path xbstream;
  private static NodeConfig node;

  @TempDir Path dir;
  private Receiver receiver;
  private FakeNodeJobs jobs;
  private BackupCatalog catalog;

  @BeforeAll
  static void start() throws Exception {
    cluster = MariaDbCluster.start("fk", 1);
    server = cluster.primary();
    // 12 MiB of incompressible rows, so a physical backup is larger than the small disk below
    server.execute(
        "CREATE DATABASE app",
        "CREATE TABLE app.big (id INT PRIMARY KEY, b BLOB)",
        "INSERT INTO app.big SELECT seq, RANDOM_BYTES(1024) FROM app.seq_1_to_12000");
    tools = new NodeTools(server, Files.createDirectories(shared.resolve("tools")));
    play = new PlayAgent(tools);
    xbstream = shared.resolve("real.xbstream");
    tools.physicalToFile(xbstream);
    node =
        new NodeConfig(
            "fkc",
            server.name(),
            new DatabaseEndpoint(server.host(), server.port(), null, "unused", null),
            4445,
            4444);
  }

  @AfterAll
  static void stop() {
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

  @BeforeEach
  void open() {
    receiver = Receiver.open(settings(null));
    jobs = new FakeNodeJobs(play);
    catalog = new BackupCatalog(dir.resolve("catalog"));
  }

  @AfterEach
  void close() {
    receiver.close();
  }

  private static ReceiverSettings settings(StreamTls tls) {
    return new ReceiverSettings(
        "127.0.0.1",
        0,
        "127.0.0.1",
        0,
        tls,
        StreamOptions.DEFAULT_HANDSHAKE_TIMEOUT,
        Duration.ofSeconds(20),
        Duration.ofMinutes(10));
  }

  private TakeBackup.Result backup(BackupType type, Duration timeout) throws InterruptedException {
    return new TakeBackup(receiver, jobs, catalog, RetentionPolicy.defaults(), Clock.systemUTC())
        .run(
            new TakeBackup.Request(
                node,
                type,
                Compression.NONE,
                "zstd",
                // the play agent dumps with mariadb-dump: one SQL file
                type == BackupType.LOGICAL ? Map.of("format", "sql") : Map.of(),
                timeout,
                "test"),
            ReceivingJob.Watcher.NONE);
  }

  private DbJobsException failure(BackupType type) {
    return catchThrowableOfType(DbJobsException.class, () -> backup(type, Duration.ofMinutes(5)));
  }

  private static void assertNothingIn(BackupCatalog c) throws IOException {
    assertThat(c.list()).as("backups in the catalog").isEmpty();
    if (Files.exists(c.root())) {
      try (Stream<Path> s = Files.walk(c.root())) {
        assertThat(s.filter(Files::isRegularFile).toList()).as("files in the catalog").isEmpty();
      }
    }
  }

  /** An offset in the middle of the largest payload of the xbstream: no chunk header near it. */
  private static long middleOfLargestPayload(Path xb) throws IOException {
    long best = 0;
    long bestLen = 0;
    try (FileChannel ch = FileChannel.open(xb, StandardOpenOption.READ)) {
      long pos = 0;
      long size = ch.size();
      ByteBuffer h = ByteBuffer.allocate(14).order(ByteOrder.LITTLE_ENDIAN);
      while (pos < size) {
        h.clear();
        ch.read(h, pos);
        int type = h.get(9);
        int pathLen = h.getInt(10);
        long p = pos + 14 + pathLen;
        if (type == 'E') {
          pos = p;
          continue;
        }
        long sparse = 0;
        if (type == 'S') {
          ByteBuffer s = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
          ch.read(s, p);
          sparse = s.getInt(0) * 8L;
          p += 4;
        }
        ByteBuffer l = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        ch.read(l, p);
        long len = l.getLong(0);
        long payload = p + 20 + sparse;
        if (len > bestLen) {
          bestLen = len;
          best = payload + len / 2;
        }
        pos = payload + len;
      }
    }
    assertThat(bestLen).as("largest xbstream payload").isGreaterThan(256 << 10);
    return best;
  }

  @Test
  void aStreamCutHalfWayIsReportedAsCutAndDiscarded() throws Exception {
    jobs.twist(
        PlayAgent.Twist.NONE.withPhysicalFile(xbstream).withCutAfter(Files.size(xbstream) / 2));
    DbJobsException e = failure(BackupType.PHYSICAL);
    assertThat(e.code()).isEqualTo(ErrorCode.STREAM_CUT);
    assertThat(e.getMessage())
        .startsWith("backup-physical of fk1 failed: the receiver: stream backup-physical/fk1/")
        .contains("cut after")
        .contains("job 1 on fk1 failed (STREAM_CUT)");
    assertNothingIn(catalog);
  }

  @Test
  void aFlippedByteOnTheWayIsADigestMismatchAndDiscarded() throws Exception {
    // wire offset: the handshake and one 5-byte frame header per 256 KiB come before the byte
    long at = middleOfLargestPayload(xbstream);
    long wire = 200 + at + 5 * (at / (256 << 10) + 1);
    jobs.twist(PlayAgent.Twist.NONE.withPhysicalFile(xbstream).withFlipAt(wire));
    DbJobsException e = failure(BackupType.PHYSICAL);
    assertThat(e.code()).as(e.getMessage()).isEqualTo(ErrorCode.DIGEST_MISMATCH);
    assertThat(e.getMessage())
        .contains("the receiver: ")
        .contains("job 1 on fk1 failed (DIGEST_MISMATCH)");
    assertNothingIn(catalog);
  }

  @Test
  void theSendersAbortWhenItsToolFailsEndsTheBackup() throws Exception {
    jobs.twist(PlayAgent.Twist.NONE.withFailingTool());
    DbJobsException e = failure(BackupType.LOGICAL);
    assertThat(e.code()).isEqualTo(ErrorCode.TOOL_FAILED);
    assertThat(e.getMessage())
        .startsWith("backup-logical of fk1 failed: the receiver: ")
        .contains("mariadb-dump exited 2")
        .contains("Unknown database")
        .contains("job 1 on fk1 failed (TOOL_FAILED)");
    assertNothingIn(catalog);
  }

  @Test
  void aSenderWithTheWrongSecretGetsNothingOpened() throws Exception {
    jobs.twist(PlayAgent.Twist.NONE.withPhysicalFile(xbstream).withWrongSecret());
    DbJobsException e = failure(BackupType.PHYSICAL);
    assertThat(e.code()).isEqualTo(ErrorCode.STREAM_AUTH_FAILED);
    assertThat(e.getMessage())
        .startsWith("backup-physical of fk1 failed: job 1 on fk1 failed (STREAM_AUTH_FAILED)")
        .endsWith("the receiver got no stream");
    assertThat(jobs.secretOf(1)).hasSize(64);
    assertNothingIn(catalog);
  }

  @Test
  void bytesThatAreNotABackupAreRefused() throws Exception {
    jobs.twist(PlayAgent.Twist.NONE.withGarbage(100_000));
    DbJobsException e = failure(BackupType.PHYSICAL);
    assertThat(e.code()).isEqualTo(ErrorCode.SINK_FAILED);
    assertThat(e.getMessage()).contains("the physical backup's bytes are not an xbstream");
    assertNothingIn(catalog);
  }

  @Test
  void aTrailerOfAnotherTypeIsRefused() throws Exception {
    jobs.twist(PlayAgent.Twist.NONE.withPhysicalFile(xbstream).withMeta(Map.of("type", "logical")));
    DbJobsException e = failure(BackupType.PHYSICAL);
    assertThat(e.code()).isEqualTo(ErrorCode.CATALOG_ERROR);
    assertThat(e.getMessage())
        .contains("refused: the agent sent backup type 'logical' (type in its trailer)");
    assertNothingIn(catalog);
  }

  @Test
  void whenNoAgentTakesTheJobItTimesOutAndIsCancelled() throws Exception {
    jobs.agentDown(true);
    DbJobsException e =
        catchThrowableOfType(
            DbJobsException.class, () -> backup(BackupType.PHYSICAL, Duration.ofSeconds(2)));
    assertThat(e.code()).isEqualTo(ErrorCode.TIMEOUT);
    assertThat(e.getMessage())
        .isEqualTo(
            "backup-physical of fk1 not done after 2.0s: job 1 is queued (phase 'queued'), no"
                + " bytes received; the job is cancelled and what was received is discarded");
    assertThat(jobs.find(node, 1).state()).isEqualTo(JobState.CANCELLED);
    assertNothingIn(catalog);
  }

  @Test
  void anInterruptedBackupCancelsItsJobAndLeavesNothing() throws Exception {
    jobs.agentDown(true);
    java.util.concurrent.atomic.AtomicReference<Throwable> thrown =
        new java.util.concurrent.atomic.AtomicReference<>();
    Thread t =
        new Thread(
            () -> {
              try {
                backup(BackupType.PHYSICAL, Duration.ofMinutes(5));
              } catch (Throwable e) {
                thrown.set(e);
              }
            });
    t.start();
    io.dbjobs.testkit.Waits.until(
        "the job to be queued", Duration.ofSeconds(10), () -> catalog.list().size() == 1);
    t.interrupt();
    t.join(10_000);
    assertThat(thrown.get()).isInstanceOf(InterruptedException.class);
    assertThat(jobs.find(node, 1).state()).isEqualTo(JobState.CANCELLED);
    assertNothingIn(catalog);
  }

  @Test
  void aFullCatalogDiskIsReportedAsSuchAndLeavesNothing() throws Exception {
    Assumptions.assumeTrue(
        "root".equals(System.getProperty("user.name")),
        "skipped: mounting a small tmpfs for the catalog needs root");
    Path mount = Files.createDirectories(dir.resolve("small-disk"));
    Process p =
        new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", mount.toString())
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes());
    p.waitFor(30, TimeUnit.SECONDS);
    Assumptions.assumeTrue(
        p.exitValue() == 0, "skipped: mount -t tmpfs was refused (" + out.strip() + ")");
    try {
      catalog = new BackupCatalog(mount);
      assertThat(Files.size(xbstream)).isGreaterThan(8L << 20);
      jobs.twist(PlayAgent.Twist.NONE.withPhysicalFile(xbstream));
      DbJobsException e = failure(BackupType.PHYSICAL);
      assertThat(e.code()).isEqualTo(ErrorCode.DISK_FULL);
      assertThat(e.getMessage())
          .contains("No space left on device")
          .contains("the disk is full")
          .contains("job 1 on fk1 failed (DISK_FULL)");
      assertNothingIn(catalog);
    } finally {
      new ProcessBuilder("umount", mount.toString())
          .inheritIO()
          .start()
          .waitFor(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void tlsWithACertificateFromAnotherCaIsRefusedAndTheRightOneWorks() throws Exception {
    TestPki pki = TestPki.generate(dir.resolve("pki"));
    receiver.close();
    receiver =
        Receiver.open(settings(new StreamTls(pki.cert("receiver"), pki.key("receiver"), pki.ca())));
    jobs.twist(
        PlayAgent.Twist.NONE
            .withPhysicalFile(xbstream)
            .withTls(new StreamTls(pki.cert("intruder"), pki.key("intruder"), pki.ca())));
    DbJobsException e = failure(BackupType.PHYSICAL);
    assertThat(e.code()).isEqualTo(ErrorCode.STREAM_AUTH_FAILED);
    assertThat(e.getMessage())
        .startsWith("backup-physical of fk1 failed: job 1 on fk1 failed (STREAM_AUTH_FAILED)")
        .endsWith("the receiver got no stream");
    assertNothingIn(catalog);

    jobs.twist(
        PlayAgent.Twist.NONE
            .withPhysicalFile(xbstream)
            .withTls(new StreamTls(pki.cert("sender"), pki.key("sender"), pki.ca())));
    TakeBackup.Result ok = backup(BackupType.PHYSICAL, Duration.ofMinutes(5));
    assertThat(ok.backup().good()).isTrue();
    assertThat(ok.backup().manifest().bytes()).isEqualTo(Files.size(xbstream));
    assertThat(catalog.list()).hasSize(1);
    assertThat(List.of(ok.job().state())).containsExactly(JobState.SUCCEEDED);
  }
}
