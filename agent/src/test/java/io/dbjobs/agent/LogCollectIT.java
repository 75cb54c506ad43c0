package io.dbjobs.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.dbjobs.common.backup.StreamMeta;
import io.dbjobs.common.job.Job;
import io.dbjobs.common.job.JobState;
import io.dbjobs.common.job.Task;
import io.dbjobs.common.stream.FileSink;
import io.dbjobs.common.stream.ReceiveResult;
import io.dbjobs.common.stream.StreamOptions;
import io.dbjobs.common.stream.StreamTls;
import io.dbjobs.testkit.DbServer;
import io.dbjobs.testkit.MariaDbCluster;
import io.dbjobs.testkit.TestPki;
import io.dbjobs.testkit.Waits;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * errorlog and slowquery against a real server: its own log lines are collected, the log is rotated
 * without losing a line, and rotated copies leave the node only once the receiver acknowledged
 * them.
 */
class LogCollectIT {
  private static final Duration WAIT = Duration.ofMinutes(1);
  private static MariaDbCluster cluster;
  private static AgentFixture node;
  private static DbServer server;
  @TempDir static Path dir;

  @BeforeAll
  static void startServer() throws Exception {
    cluster = MariaDbCluster.start("logs", 1);
    server = cluster.primary();
    assumeTrue(server.isLocal(), "log files are read on the node");
    node = new AgentFixture(server, Files.createDirectories(dir.resolve("n")));
  }

  @AfterAll
  static void stopServer() {
    if (node != null) {
      node.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  private Agent agent;
  private TestReceiver receiver;

  @AfterEach
  void stopAgent() {
    if (agent != null) {
      agent.stop("test over");
    }
    if (receiver != null) {
      receiver.close();
    }
  }

  /** Makes the server itself write a line naming {@code marker} to its error log. */
  private static void serverLogs(String marker) {
    try {
      DriverManager.getConnection(server.jdbcUrl(), marker, "wrong").close();
      throw new AssertionError("a login with a wrong password succeeded");
    } catch (SQLException expected) {
      // logged by the server as "Access denied for user '<marker>'"
    }
    Path log = server.errorLog();
    Waits.until(
        "the server to log " + marker,
        WAIT,
        () -> {
          try {
            return Files.exists(log) && Files.readString(log).contains(marker);
          } catch (java.io.IOException e) {
            return false;
          }
        });
  }

  private static String marker() {
    return "m" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
  }

  @Test
  void collectsTheErrorLogAndRotatesItOnlyOnceTheReceiverConfirmed() throws Exception {
    agent = node.startAgent("");
    String before = marker();
    serverLogs(before);
    receiver = new TestReceiver();
    Path target = dir.resolve("error-" + before + ".log");
    CountDownLatch finishing = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    TestReceiver.Incoming in =
        receiver.expect(TestReceiver.gated(FileSink.to(target), finishing, release, null));
    long id = node.jobs.insert(receiver.job(Task.ERRORLOG, in, Map.of())).id();
    assertThat(finishing.await(1, TimeUnit.MINUTES)).isTrue();

    Path copy = server.errorLog().resolveSibling("error.log.dbjobs-" + id);
    assertThat(copy).exists();
    assertThat(Files.readString(copy)).contains(before);
    String after = marker();
    serverLogs(after);
    assertThat(Files.readString(server.errorLog())).contains(after).doesNotContain(before);
    assertThat(node.job(id).state()).isEqualTo(JobState.RUNNING);

    release.countDown();
    ReceiveResult got = in.await(WAIT);
    Job done = node.await(id, JobState.SUCCEEDED, WAIT);
    assertThat(copy).doesNotExist();
    assertThat(Files.readString(target)).contains(before).doesNotContain(after);
    assertThat(Files.readString(server.errorLog())).contains(after);
    assertThat(done.digest()).isEqualTo(TestReceiver.sha256(target));
    assertThat(done.bytesDone()).isEqualTo(Files.size(target));
    assertThat(done.result())
        .contains("error log " + server.errorLog())
        .contains("log rotated, sent copies deleted")
        .contains("receiver: " + got.sinkMessage());
    assertThat(got.metadata())
        .containsEntry(StreamMeta.KIND, "log")
        .containsEntry(StreamMeta.FORMAT, "log")
        .containsEntry(StreamMeta.LOG_KIND, "error")
        .containsEntry(StreamMeta.LOG_FILE, server.errorLog().toString())
        .containsEntry(StreamMeta.NODE, server.name())
        .containsEntry(StreamMeta.SERVER_FLAVOR, "mariadb")
        .containsKeys(StreamMeta.SERVER_VERSION, StreamMeta.STARTED_AT, StreamMeta.ENDED_AT);
  }

  @Test
  void keepsTheRotatedLogWhenTheReceiverFailsAndSendsItWithTheNextJob() throws Exception {
    agent = node.startAgent("");
    String first = marker();
    serverLogs(first);
    receiver = new TestReceiver();
    Path failedTarget = dir.resolve("failed-" + first + ".log");
    CountDownLatch open = new CountDownLatch(0);
    TestReceiver.Incoming failing =
        receiver.expect(
            TestReceiver.gated(
                FileSink.to(failedTarget), new CountDownLatch(1), open, "disk on fire"));
    long failedId = node.jobs.insert(receiver.job(Task.ERRORLOG, failing, Map.of())).id();
    Job failed = node.await(failedId, JobState.FAILED, WAIT);
    assertThat(failed.errorCode()).isEqualTo("SINK_FAILED");
    assertThat(failed.result()).contains("disk on fire");
    assertThat(failedTarget).doesNotExist();
    assertThat(FileSink.partialOf(failedTarget)).doesNotExist();
    Path kept = server.errorLog().resolveSibling("error.log.dbjobs-" + failedId);
    assertThat(kept).exists();
    assertThat(Files.readString(kept)).contains(first);

    String second = marker();
    serverLogs(second);
    Path target = dir.resolve("next-" + second + ".log");
    TestReceiver.Incoming in = receiver.expect(FileSink.to(target));
    long id = node.jobs.insert(receiver.job(Task.ERRORLOG, in, Map.of())).id();
    Job done = node.await(id, JobState.SUCCEEDED, WAIT);
    String got = Files.readString(target);
    assertThat(got).contains(first).contains(second);
    assertThat(got.indexOf(first)).isLessThan(got.indexOf(second));
    assertThat(done.result()).contains("2 files");
    assertThat(kept).doesNotExist();
    assertThat(server.errorLog().resolveSibling("error.log.dbjobs-" + id)).doesNotExist();
  }

  @Test
  void sendsACopyAndTouchesNothingWithoutRotate() throws Exception {
    agent = node.startAgent("");
    String m = marker();
    serverLogs(m);
    Object inode = Files.getAttribute(server.errorLog(), "unix:ino");
    receiver = new TestReceiver();
    Path target = dir.resolve("copy-" + m + ".log");
    TestReceiver.Incoming in = receiver.expect(FileSink.to(target));
    long id = node.jobs.insert(receiver.job(Task.ERRORLOG, in, Map.of("rotate", "false"))).id();
    Job done = node.await(id, JobState.SUCCEEDED, WAIT);
    assertThat(Files.readString(target)).contains(m);
    assertThat(Files.getAttribute(server.errorLog(), "unix:ino")).isEqualTo(inode);
    assertThat(Files.readString(server.errorLog())).contains(m);
    assertThat(server.errorLog().resolveSibling("error.log.dbjobs-" + id)).doesNotExist();
    assertThat(done.result()).contains("a copy; not rotated");
  }

  @Test
  void collectsTheSlowQueryLog() throws Exception {
    agent = node.startAgent("");
    String m = marker();
    server.execute("SET GLOBAL long_query_time=0", "SET GLOBAL slow_query_log=ON");
    try {
      server.execute("SELECT '" + m + "'");
    } finally {
      server.execute("SET GLOBAL slow_query_log=OFF", "SET GLOBAL long_query_time=10");
    }
    receiver = new TestReceiver();
    Path target = dir.resolve("slow-" + m + ".log");
    TestReceiver.Incoming in = receiver.expect(FileSink.to(target));
    long id = node.jobs.insert(receiver.job(Task.SLOWQUERY, in, Map.of())).id();
    node.await(id, JobState.SUCCEEDED, WAIT);
    assertThat(Files.readString(target)).contains("SELECT '" + m + "'");
    assertThat(in.await(WAIT).metadata())
        .containsEntry(StreamMeta.LOG_KIND, "slow")
        .containsEntry(StreamMeta.LOG_FILE, server.baseDir().resolve("slow.log").toString());
  }

  @Test
  void failsNamingTheSettingWhenTheSlowLogWasNeverWritten() throws Exception {
    agent = node.startAgent("");
    String original = server.value("SELECT @@slow_query_log_file");
    server.execute("SET GLOBAL slow_query_log_file='" + dir.resolve("never-slow.log") + "'");
    try {
      receiver = new TestReceiver();
      TestReceiver.Incoming in = receiver.expect(FileSink.to(dir.resolve("never.log")));
      long id = node.jobs.insert(receiver.job(Task.SLOWQUERY, in, Map.of())).id();
      Job failed = node.await(id, JobState.FAILED, WAIT);
      assertThat(failed.errorCode()).isEqualTo("NOT_FOUND");
      assertThat(failed.result())
          .contains("never-slow.log does not exist")
          .contains("set slow_query_log=ON");
    } finally {
      server.execute("SET GLOBAL slow_query_log_file='" + original + "'");
    }
  }

  @Test
  void sendsOverMutualTlsWhenTheAgentIsConfiguredForIt() throws Exception {
    TestPki pki = TestPki.generate(dir.resolve("pki"));
    agent =
        node.startAgent(
            "stream:\n  tls:\n    cert: "
                + pki.cert("sender")
                + "\n    key: "
                + pki.key("sender")
                + "\n    ca: "
                + pki.ca()
                + "\n");
    String m = marker();
    serverLogs(m);
    receiver =
        new TestReceiver(
            StreamOptions.defaults()
                .withTls(new StreamTls(pki.cert("receiver"), pki.key("receiver"), pki.ca())));
    Path target = dir.resolve("tls-" + m + ".log");
    TestReceiver.Incoming in = receiver.expect(FileSink.to(target));
    long id =
        node.jobs
            .insert(
                receiver.job(Task.ERRORLOG, in, Map.of("rotate", "false", "compression", "lz4")))
            .id();
    node.await(id, JobState.SUCCEEDED, WAIT);
    assertThat(Files.readString(target)).contains(m);
  }
}
