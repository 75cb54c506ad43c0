package io.dbjobs.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbjobs.common.auth.JobSeal;
import io.dbjobs.common.auth.KeyRing;
import io.dbjobs.common.job.NewJob;
import io.dbjobs.common.job.Task;
import io.dbjobs.manager.config.ManagerConfig;
import io.dbjobs.manager.fleet.NodeConnections;
import io.dbjobs.testkit.ConfigFiles;
import io.dbjobs.testkit.DbServer;
import io.dbjobs.testkit.TestKeys;
import io.dbjobs.testkit.Waits;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job keys on a real node: {@code dbjobs keys rotate} while jobs sealed with the old key wait
 * in the queue (they still run, and new jobs are sealed with the new key), {@code dbjobs keys list}
 * telling whether the agent holds the current key, an agent given the wrong key file saying so at
 * start ({@code --check}), and a node whose manager key file was replaced refusing the manager's
 * jobs with a message that names {@code dbjobs keys list}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KeysIT {
  private static final Duration WAIT = Duration.ofMinutes(1);

  @TempDir static Path dir;
  private static FleetFixture fleet;
  private static ManagerConfig config;

  @BeforeAll
  static void start() {
    fleet = new FleetFixture("ky", 1, dir, false);
    fleet.node(1).execute("CREATE DATABASE shop", "CREATE TABLE shop.t (id INT PRIMARY KEY)");
    FleetFixture.Run nodes = fleet.cli("nodes");
    assertThat(nodes.exit()).as(nodes.toString()).isZero();
    config = ManagerConfig.load(fleet.managerYml, System::getenv);
  }

  @AfterAll
  static void stop() {
    if (fleet != null) {
      fleet.close();
    }
  }

  private static long enqueueAnalyze(NodeConnections manager) {
    return manager
        .jobs(config.node("ky1"))
        .enqueue(
            NewJob.of(Task.OPTIMIZE, Map.of("mode", "analyze"), "an-" + UUID.randomUUID(), "test"))
        .job()
        .id();
  }

  private static String keyIdOf(DbServer node, long id) {
    return JobSeal.parse(JobRows.row(node, id).get("seal")).keyId();
  }

  private static String currentManagerKey() {
    return KeyRing.load(TestKeys.managerFile("ky1"), "ky1").current().id();
  }

  @Test
  @Order(1)
  void rotationKeepsJobsSealedWithTheOldKeyRunningAndSealsNewJobsWithTheNewKey() throws Exception {
    DbServer node = fleet.node(1);
    String old = currentManagerKey();
    // the agent does not run yet: everything waits in the queue
    CompletableFuture<FleetFixture.Run> rotate =
        CompletableFuture.supplyAsync(
            () -> fleet.cli("keys", "rotate", "--node", "ky1", "--timeout", "2m"));
    long rotation =
        Long.parseLong(
            Waits.until(
                "the rotate-key job to be queued",
                WAIT,
                () ->
                    node.value(
                        "SELECT MIN(id) FROM " + TableAttacker.JOBS + " WHERE task='rotate-key'"),
                v -> v != null));
    // meanwhile another manager process (the daemon) goes on sealing with the key it holds
    List<Long> queued = new ArrayList<>();
    try (NodeConnections daemon = new NodeConnections(config)) {
      queued.add(enqueueAnalyze(daemon));
      queued.add(enqueueAnalyze(daemon));
    }
    for (long id : queued) {
      assertThat(keyIdOf(node, id)).isEqualTo(old);
    }
    // one job at a time: the queued jobs start only once the rotation is over
    fleet.startAgent(node, "jobs:\n  pollInterval: 100ms\n  maxParallel: 1\n");

    FleetFixture.Run r = rotate.get(2, TimeUnit.MINUTES);
    assertThat(r.exit()).as(r.toString()).isZero();
    String current = currentManagerKey();
    assertThat(current).isNotEqualTo(old);
    assertThat(r.out()).contains("ky1: keys [" + old + "] -> [" + current + ", " + old + "]");
    assertThat(KeyRing.load(TestKeys.agentFile("ky1"), "ky1").ids()).containsExactly(current, old);

    LocalDateTime rotated =
        LocalDateTime.parse(JobRows.row(node, rotation).get("end").replace(' ', 'T'));
    for (long id : queued) {
      Map<String, String> j = JobRows.awaitEnd(node, id, WAIT);
      assertThat(j.get("state")).as("job %s sealed with the old key: %s", id, j).isEqualTo("4");
      assertThat(LocalDateTime.parse(j.get("start").replace(' ', 'T')))
          .as("job %s started after the rotation", id)
          .isAfterOrEqualTo(rotated);
    }
    try (NodeConnections manager = new NodeConnections(config)) {
      long next = enqueueAnalyze(manager);
      assertThat(keyIdOf(node, next)).isEqualTo(current);
      assertThat(JobRows.awaitEnd(node, next, WAIT).get("state")).isEqualTo("4");
    }
    FleetFixture.Run list = fleet.cli("keys", "list");
    assertThat(list.exit()).as(list.toString()).isZero();
    assertThat(list.out()).contains(current).contains("holds the current key");
  }

  @Test
  @Order(2)
  void anAgentGivenAnotherNodesOrAWorldReadableKeyFileSaysSoAtStart() throws Exception {
    Path foreign = TestKeys.agentFile("ky-elsewhere");
    AgentRun other = checkWithKeyFile(foreign);
    assertThat(other.exit()).as(other.output()).isEqualTo(3);
    assertThat(other.output())
        .contains(foreign.toString())
        .contains("ky-elsewhere")
        .contains("ky1");

    Path open = dir.resolve("open.keys");
    Files.copy(TestKeys.agentFile("ky1"), open, StandardCopyOption.REPLACE_EXISTING);
    Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rw-r--r--"));
    AgentRun readable = checkWithKeyFile(open);
    assertThat(readable.exit()).as(readable.output()).isEqualTo(3);
    assertThat(readable.output()).contains(open.toString()).contains("readable");

    AgentRun right = checkWithKeyFile(TestKeys.agentFile("ky1"));
    assertThat(right.exit()).as(right.output()).isZero();
    assertThat(right.output()).contains("job keys of ky1").contains(currentManagerKey());
  }

  @Test
  @Order(3)
  void aNodeWhoseManagerKeyFileWasReplacedRefusesTheManagersJobsNamingKeysList() throws Exception {
    DbServer node = fleet.node(1);
    Path managerFile = TestKeys.managerFile("ky1");
    byte[] kept = Files.readAllBytes(managerFile);
    try {
      // someone ran `dbjobs keys init` again after removing the manager's file
      Files.copy(
          TestKeys.foreignFile(dir, "ky1"), managerFile, StandardCopyOption.REPLACE_EXISTING);
      try (NodeConnections manager = new NodeConnections(config)) {
        long id = enqueueAnalyze(manager);
        JobRows.assertRefused(node, id, WAIT, "which node ky1 does not hold", "`dbjobs keys list`");
      }
      FleetFixture.Run list = fleet.cli("keys", "list");
      assertThat(list.exit()).as(list.toString()).isEqualTo(7);
      assertThat(list.out()).contains("DOES NOT hold the current key");
    } finally {
      Files.write(managerFile, kept);
    }
    try (NodeConnections manager = new NodeConnections(config)) {
      assertThat(JobRows.awaitEnd(node, enqueueAnalyze(manager), WAIT).get("state")).isEqualTo("4");
    }
  }

  /** What one {@code dbjobs-agent --check} process printed and how it exited. */
  record AgentRun(int exit, String output) {}

  /**
   * Runs {@code dbjobs-agent --check} in its own JVM with this node's config and {@code keyFile}.
   */
  private static AgentRun checkWithKeyFile(Path keyFile) throws Exception {
    DbServer node = fleet.node(1);
    Path yml =
        ConfigFiles.write(
            dir.resolve("check-" + UUID.randomUUID() + ".yml"),
            ConfigFiles.agentYaml(
                node,
                ConfigFiles.secret(dir, "check.password", FleetFixture.AGENT_PASSWORD),
                dir.resolve("check-work"),
                "security:\n  keyFile: " + keyFile + "\nhttp:\n  port: 0\n"));
    Path out = dir.resolve("check-" + UUID.randomUUID() + ".out");
    String java =
        ProcessHandle.current()
            .info()
            .command()
            .orElse(System.getProperty("java.home") + "/bin/java");
    Process p =
        new ProcessBuilder(
                java,
                "-cp",
                System.getProperty("java.class.path"),
                "io.dbjobs.agent.AgentMain",
                "--config",
                yml.toString(),
                "--check")
            .redirectErrorStream(true)
            .redirectOutput(out.toFile())
            .start();
    if (!p.waitFor(2, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new AssertionError("dbjobs-agent --check did not end within 2 minutes");
    }
    return new AgentRun(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
  }
}
