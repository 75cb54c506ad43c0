package io.dbjobs.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.job.Job;
import io.dbjobs.common.job.JobState;
import io.dbjobs.common.job.Task;
import io.dbjobs.common.stream.FileSink;
import io.dbjobs.common.stream.StreamSecret;
import io.dbjobs.testkit.FreePorts;
import io.dbjobs.testkit.LogCapture;
import io.dbjobs.testkit.MariaDbCluster;
import io.dbjobs.testkit.Waits;
import java.io.IOException;
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
 * How sending backups fail: each failure is a clear job error, and the receiver keeps nothing (its
 * FileSink leaves no file). Also: no password in any log line or command line.
 */
class BackupFailuresIT {
  private static final Duration WAIT = Duration.ofMinutes(2);
  private static MariaDbCluster cluster;
  private static AgentFixture node;
  @TempDir static Path dir;

  @BeforeAll
  static void startServer() throws Exception {
    cluster = MariaDbCluster.start("bkfail", 1);
    cluster
        .primary()
        .execute(
            "CREATE DATABASE shop",
            "CREATE TABLE shop.orders (id INT PRIMARY KEY AUTO_INCREMENT, note VARCHAR(100))",
            "INSERT INTO shop.orders (note) VALUES ('a'),('b')");
    TestData.filler(cluster.primary(), "shop", 15);
    node = new AgentFixture(cluster.primary(), Files.createDirectories(dir.resolve("n")));
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

  private Agent startAgent(String tool, Path script) {
    return node.startAgent(script == null ? "" : "tools:\n  " + tool + ": " + script + "\n");
  }

  /** Runs a backup job that must fail, and checks the receiver kept nothing. */
  /** backup-logical as mariadb-dump (format=sql): the tool these tests break. */
  private static Map<String, String> sqlFormat(Task task) {
    return task == Task.BACKUP_LOGICAL ? Map.of("format", "sql") : Map.of();
  }

  private Job failingBackup(Task task, Path target, String expectedStreamCode) throws Exception {
    receiver = new TestReceiver();
    TestReceiver.Incoming in = receiver.expect(FileSink.to(target));
    long id = node.jobs.insert(receiver.job(task, in, sqlFormat(task))).id();
    Job failed = node.await(id, JobState.FAILED, WAIT);
    if (expectedStreamCode != null) {
      DbJobsException f = in.failure(WAIT);
      assertThat(f.code().name()).isEqualTo(expectedStreamCode);
    }
    assertNothingKept(target);
    return failed;
  }

  private static void assertNothingKept(Path target) {
    assertThat(target).doesNotExist();
    assertThat(FileSink.partialOf(target)).doesNotExist();
  }

  @Test
  void aToolThatExitsNonZeroFailsTheJobWithItsExitCodeAndStderr() throws Exception {
    Path script =
        TestData.script(
            dir.resolve("failing-backup.sh"),
            "head -c 100000 /dev/urandom\n"
                + "echo 'mariadb-backup: Got error: 28 \"No space left on device\" (fake)' >&2\n"
                + "exit 1");
    agent = startAgent("mariadbBackup", script);
    Job failed = failingBackup(Task.BACKUP_PHYSICAL, dir.resolve("exit1.xb"), "TOOL_FAILED");
    assertThat(failed.errorCode()).isEqualTo("TOOL_FAILED");
    assertThat(failed.result())
        .contains("mariadb-backup exited 1")
        .contains("No space left on device\" (fake)")
        .contains("not an xbstream");
  }

  @Test
  void aToolThatExitsZeroWithoutCompletedOkFailsTheJob() throws Exception {
    Path script =
        TestData.script(
            dir.resolve("silent-backup.sh"),
            "/usr/bin/mariadb-backup \"$@\" 2> >(grep -v 'completed OK!' >&2)\n"
                + "status=$?\nwait\nexit $status");
    agent = startAgent("mariadbBackup", script);
    Job failed = failingBackup(Task.BACKUP_PHYSICAL, dir.resolve("noOk.xb"), "TOOL_FAILED");
    assertThat(failed.errorCode()).isEqualTo("TOOL_FAILED");
    assertThat(failed.result())
        .contains("mariadb-backup exited 0 but never printed 'completed OK!' on stderr");
  }

  @Test
  void aShortStreamFailsTheJobEvenWhenTheToolSaysOk() throws Exception {
    Path script =
        TestData.script(
            dir.resolve("short-backup.sh"),
            "if [ \"$1\" = --version ]; then exec /usr/bin/mariadb-backup --version; fi\n"
                + "/usr/bin/mariadb-backup \"$@\" 2>/dev/null | head -c 1000003\n"
                + "echo '[00] completed OK!' >&2\nexit 0");
    agent = startAgent("mariadbBackup", script);
    Job failed = failingBackup(Task.BACKUP_PHYSICAL, dir.resolve("short.xb"), "TOOL_FAILED");
    assertThat(failed.result()).contains("xbstream is short: it ended inside a chunk");
  }

  @Test
  void aDumpWithoutItsCompletedLineFailsTheJob() throws Exception {
    Path script =
        TestData.script(
            dir.resolve("cut-dump.sh"),
            "/usr/bin/mariadb-dump \"$@\" | grep -v '^-- Dump completed'\nexit ${PIPESTATUS[0]}");
    agent = startAgent("mariadbDump", script);
    Job failed = failingBackup(Task.BACKUP_LOGICAL, dir.resolve("cut.sql.zst"), "TOOL_FAILED");
    assertThat(failed.result())
        .contains("mariadb-dump exited 0 but its dump does not end with '-- Dump completed'");
  }

  @Test
  void aToolRemovedAfterStartFailsNamingItsSetting() throws Exception {
    Path script = TestData.script(dir.resolve("vanishing.sh"), "exit 0");
    agent = startAgent("mariadbBackup", script);
    Files.delete(script);
    Job failed = failingBackup(Task.BACKUP_PHYSICAL, dir.resolve("vanished.xb"), null);
    assertThat(failed.errorCode()).isEqualTo("TOOL_NOT_FOUND");
    assertThat(failed.result())
        .contains("mariadb-backup not found or not executable at " + script)
        .contains("set tools.mariadbBackup");
  }

  @Test
  void aReceiverThatIsNotListeningFailsTheJobBeforeTheToolRuns() throws Exception {
    Path argv = dir.resolve("argv-unreachable.txt");
    Path script = recordingWrapper("unreachable", argv);
    agent = startAgent("mariadbBackup", script);
    int port = FreePorts.next();
    receiver = new TestReceiver();
    TestReceiver.Incoming in = receiver.expect(FileSink.to(dir.resolve("unreachable.xb")));
    String secret = in.secret();
    long id =
        node.jobs.insert(TestReceiver.job(Task.BACKUP_PHYSICAL, in, secret, port, Map.of())).id();
    Job failed = node.await(id, JobState.FAILED, WAIT);
    assertThat(failed.errorCode()).isEqualTo("NODE_UNREACHABLE");
    assertThat(failed.result()).contains("cannot connect to 127.0.0.1:" + port);
    assertThat(backupRuns(argv)).isEmpty();
  }

  @Test
  void aWrongSecretFailsTheJobAndLeavesTheReceiverWaiting() throws Exception {
    Path argv = dir.resolve("argv-secret.txt");
    agent = startAgent("mariadbBackup", recordingWrapper("secret", argv));
    receiver = new TestReceiver();
    Path target = dir.resolve("wrong-secret.xb");
    TestReceiver.Incoming in = receiver.expect(FileSink.to(target));
    long id =
        node.jobs
            .insert(
                TestReceiver.job(
                    Task.BACKUP_PHYSICAL,
                    in,
                    StreamSecret.mint(),
                    receiver.listener.port(),
                    Map.of()))
            .id();
    Job failed = node.await(id, JobState.FAILED, WAIT);
    assertThat(failed.errorCode()).isEqualTo("STREAM_AUTH_FAILED");
    assertThat(failed.result()).contains("could not prove it knows the secret");
    assertThat(in.stream().result()).isNotDone();
    assertThat(backupRuns(argv)).isEmpty();
    assertNothingKept(target);
  }

  @Test
  void cancellingARunningBackupKillsTheToolAndTheReceiverKeepsNothing() throws Exception {
    Path pidFile = dir.resolve("backup.pid");
    Path script =
        TestData.script(
            dir.resolve("pid-backup.sh"),
            "[ \"$1\" = --version ] || echo $$ > "
                + pidFile
                + "\nexec /usr/bin/mariadb-backup \"$@\"");
    agent = startAgent("mariadbBackup", script);
    receiver = new TestReceiver();
    Path target = dir.resolve("cancelled.xb");
    TestReceiver.Incoming in = receiver.expect(TestReceiver.slow(FileSink.to(target), 200));
    long id = node.jobs.insert(receiver.job(Task.BACKUP_PHYSICAL, in, Map.of())).id();
    Waits.until(
        "bytes to flow", WAIT, () -> node.job(id), j -> j.bytesDone() > 0 || j.state().isFinal());
    assertThat(node.job(id).state()).isEqualTo(JobState.RUNNING);
    assertThat(node.job(id).phase()).startsWith("backing up with mariadb-backup");
    long pid = Long.parseLong(Files.readString(pidFile).strip());
    assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).contains(true);

    node.jobs.cancel(id, "test");
    Job cancelled = node.await(id, JobState.CANCELLED, WAIT);
    assertThat(cancelled.errorCode()).isEqualTo("CANCELLED");
    assertThat(cancelled.result()).contains("cancelled on request");
    Waits.until(
        "mariadb-backup to be gone",
        Duration.ofSeconds(15),
        () -> !ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
    DbJobsException f = in.failure(WAIT);
    assertThat(f.code().name()).isIn("CANCELLED", "STREAM_CUT");
    assertNothingKept(target);
  }

  @Test
  void stoppingTheAgentDuringABackupKillsTheToolAndTheReceiverKeepsNothing() throws Exception {
    Path pidFile = dir.resolve("stopped-backup.pid");
    Path script =
        TestData.script(
            dir.resolve("pid-backup-2.sh"),
            "[ \"$1\" = --version ] || echo $$ > "
                + pidFile
                + "\nexec /usr/bin/mariadb-backup \"$@\"");
    Agent stopping = startAgent("mariadbBackup", script);
    receiver = new TestReceiver();
    Path target = dir.resolve("stopped.xb");
    TestReceiver.Incoming in = receiver.expect(TestReceiver.slow(FileSink.to(target), 200));
    long id = node.jobs.insert(receiver.job(Task.BACKUP_PHYSICAL, in, Map.of())).id();
    Waits.until(
        "bytes to flow", WAIT, () -> node.job(id), j -> j.bytesDone() > 0 || j.state().isFinal());
    long pid = Long.parseLong(Files.readString(pidFile).strip());

    stopping.stop("test stops the agent");
    Job stopped = node.job(id);
    assertThat(stopped.state()).isEqualTo(JobState.FAILED);
    assertThat(stopped.errorCode()).isEqualTo("AGENT_STOPPED");
    assertThat(stopped.result()).contains("agent stopped (test stops the agent)");
    assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    in.failure(WAIT);
    assertNothingKept(target);
  }

  @Test
  void noPasswordReachesALogLineOrACommandLineAndTheOptionFileIsGone() throws Exception {
    Path argv = dir.resolve("argv-hygiene.txt");
    agent =
        node.startAgent(
            "tools:\n  mariadbBackup: "
                + recordingWrapper("hygiene-backup", argv)
                + "\n  mariadbDump: "
                + recordingWrapper("hygiene-dump", argv)
                + "\n");
    try (LogCapture logs = LogCapture.start()) {
      receiver = new TestReceiver();
      for (Task task : List.of(Task.BACKUP_PHYSICAL, Task.BACKUP_LOGICAL)) {
        Path target = dir.resolve("hygiene-" + task + "-" + UUID.randomUUID());
        TestReceiver.Incoming in = receiver.expect(FileSink.to(target));
        long id = node.jobs.insert(receiver.job(task, in, sqlFormat(task))).id();
        node.await(id, JobState.SUCCEEDED, WAIT);
        assertThat(target).exists();
      }
      List<String> runs = backupRuns(argv);
      assertThat(runs).hasSize(2);
      for (String run : runs) {
        assertThat(run).contains("--defaults-file=").doesNotContain(AgentFixture.AGENT_PASSWORD);
        assertThat(run).contains("mode 600");
      }
      assertThat(logs.lines()).isNotEmpty();
      assertThat(logs.linesContaining(AgentFixture.AGENT_PASSWORD)).isEmpty();
      assertThat(logs.linesContaining("[mariadb-backup] running:")).isNotEmpty();
    }
    try (Stream<Path> files = Files.walk(agent.config().workDir())) {
      assertThat(files.map(Path::getFileName).map(Path::toString))
          .noneMatch(n -> n.startsWith(".dbjobs-client-"));
    }
  }

  /**
   * A wrapper that records each backup run's arguments and the defaults file's mode, then runs the
   * real tool.
   */
  private static Path recordingWrapper(String name, Path argvFile) {
    String tool = name.endsWith("dump") ? "/usr/bin/mariadb-dump" : "/usr/bin/mariadb-backup";
    return TestData.script(
        dir.resolve(name + ".sh"),
        "if [ \"$1\" != --version ]; then\n"
            + "  f=\"${1#--defaults-file=}\"\n"
            + "  echo \"$* mode $(stat -c %a \"$f\")\" >> "
            + argvFile
            + "\nfi\nexec "
            + tool
            + " \"$@\"");
  }

  private static List<String> backupRuns(Path argvFile) throws IOException {
    return Files.exists(argvFile) ? Files.readAllLines(argvFile) : List.of();
  }
}
