package io.dbjobs.manager.watch;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.dbjobs.common.auth.JobSealer;
import io.dbjobs.common.auth.KeyRing;
import io.dbjobs.common.config.DatabaseEndpoint;
import io.dbjobs.common.config.Secret;
import io.dbjobs.common.db.DataSources;
import io.dbjobs.common.http.GuardedHttpServer;
import io.dbjobs.common.http.HttpLimits;
import io.dbjobs.common.http.HttpReply;
import io.dbjobs.common.http.HttpRouter;
import io.dbjobs.common.job.Job;
import io.dbjobs.common.job.JobState;
import io.dbjobs.common.job.NewJob;
import io.dbjobs.common.job.Task;
import io.dbjobs.common.jobs.AgentJobsTable;
import io.dbjobs.common.jobs.JobsSchema;
import io.dbjobs.common.jobs.ManagerJobsTable;
import io.dbjobs.manager.daemon.DaemonIntegrations;
import io.dbjobs.manager.daemon.ManagerDaemon;
import io.dbjobs.manager.daemon.ServeFixture;
import io.dbjobs.testkit.ConfigFiles;
import io.dbjobs.testkit.DbServer;
import io.dbjobs.testkit.DbUsers;
import io.dbjobs.testkit.FreePorts;
import io.dbjobs.testkit.LogCapture;
import io.dbjobs.testkit.TestKeys;
import io.dbjobs.testkit.Waits;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon's watchdog against a real node and a node that does not exist: a job whose agent
 * stopped renewing its lease is reported lost with no agent running anywhere; outages are logged
 * once; agents are polled.
 */
class WatchdogIT {
  private static final Duration LEASE = Duration.ofSeconds(2);
  private static final Duration SWEEP = Duration.ofMillis(500);
  @TempDir static Path dir;
  private static ServeFixture fx;
  private static LogCapture logs;
  private static HikariDataSource pool;
  private static ManagerJobsTable jobs;
  private static AgentJobsTable agentSide;
  private static ManagerDaemon daemon;
  private static GuardedHttpServer fakeAgent;

  @BeforeAll
  static void start() throws Exception {
    logs = LogCapture.start();
    fx = new ServeFixture("wd", 1, dir);
    DbServer n = fx.node(1);
    // an agent endpoint that answers /health like a real one
    fakeAgent =
        GuardedHttpServer.start(
            new GuardedHttpServer.Settings(
                "fake agent",
                "127.0.0.1",
                0,
                new Secret("agent-token", "test"),
                "the test's agent token",
                "-",
                HttpLimits.defaults(65536, 1, 1)),
            new HttpRouter()
                .open(
                    "GET",
                    "/health",
                    c ->
                        HttpReply.text(
                            200,
                            HttpReply.JSON,
                            "{\"node\":\"wd1\",\"owner\":\"wd1@test\",\"version\":\"t\","
                                + "\"databaseUp\":true,\"runningJobs\":0,\"keptOutcomes\":0}")));
    Path token = ConfigFiles.secret(dir, "agent.token", "agent-token");
    int nowhere = FreePorts.next();
    String yaml =
        "catalog: {dir: "
            + dir.resolve("catalog")
            + "}\n"
            + "connectTimeout: 1s\n"
            + "api: {port: "
            + fx.apiPort
            + ", token: {file: "
            + fx.tokenFile
            + "}}\n"
            + "watchdog: {interval: 500ms}\n"
            + "security: {keysDir: "
            + io.dbjobs.testkit.TestKeys.managerDir()
            + "}\n"
            + "clusters:\n"
            + "  - name: wd\n"
            + "    credentials: {user: dbjobs_manager, password: {file: "
            + fx.passwordFile
            + "}}\n"
            + "    agentToken: {file: "
            + token
            + "}\n"
            + "    schedules: []\n"
            + "    nodes:\n"
            + "      - {name: wd1, host: 127.0.0.1, port: "
            + n.port()
            + ", agentPort: "
            + fakeAgent.port()
            + "}\n"
            + "      - {name: ghost, host: 127.0.0.1, port: "
            + nowhere
            + ", agentPort: "
            + nowhere
            + "}\n";
    daemon =
        fx.start(
            ConfigFiles.write(dir.resolve("manager.yml"), yaml), DaemonIntegrations.defaults());
    pool =
        DataSources.pool(
            new DatabaseEndpoint(
                n.host(),
                n.port(),
                null,
                DbUsers.MANAGER,
                new Secret(ServeFixture.MANAGER_PASSWORD, "test")),
            "test-wd",
            2,
            Duration.ofSeconds(5));
    JobsSchema.ensure(pool, "wd1");
    jobs =
        new ManagerJobsTable(
            pool,
            "wd1",
            "wd1",
            () ->
                new JobSealer(
                    KeyRing.load(TestKeys.managerFile("wd1"), "wd1"),
                    Duration.ofHours(1),
                    java.time.Clock.systemUTC()));
    // the agent's side of the table, played by the test
    agentSide = new AgentJobsTable(pool, "wd1");
  }

  @AfterAll
  static void stop() {
    if (pool != null) {
      pool.close();
    }
    if (fx != null) {
      fx.close();
    }
    if (fakeAgent != null) {
      fakeAgent.close();
    }
    if (logs != null) {
      logs.close();
    }
  }

  @Test
  void aJobWhoseAgentDiedIsReportedLostWithinLeasePlusOneSweep() {
    long id =
        jobs.enqueue(NewJob.of(Task.OPTIMIZE, Map.of(), "wd-" + UUID.randomUUID(), "test"))
            .job()
            .id();
    // an agent that claims the job and is never heard of again
    assertThat(agentSide.claim(id, "wd1@crashed-host/4242", LEASE)).isTrue();
    long claimed = System.nanoTime();
    Job lost =
        Waits.until(
            "job " + id + " to be failed as agent lost",
            Duration.ofSeconds(20),
            () -> jobs.findById(id).orElseThrow(),
            j -> j.state().isFinal());
    Duration took = Duration.ofNanos(System.nanoTime() - claimed);
    assertThat(lost.state()).isEqualTo(JobState.FAILED);
    assertThat(lost.errorCode()).isEqualTo("AGENT_LOST");
    assertThat(lost.result())
        .contains("agent lost: wd1@crashed-host/4242 stopped renewing its lease")
        .contains("noticed by manager@")
        .contains("was not re-run");
    // lease + one sweep, plus a little for the sweep itself and the test's polling
    assertThat(took).isLessThan(LEASE.plus(SWEEP).plusMillis(1500));
    Waits.until(
        "the loss and the state change to be logged",
        Duration.ofSeconds(10),
        () ->
            !logs.linesContaining("wd1: 1 job failed as agent lost").isEmpty()
                && !logs.linesContaining("job " + id + " on wd1 (optimize) failed").isEmpty());
    assertThat(logs.linesContaining("job " + id + " on wd1 (optimize) failed"))
        .anyMatch(l -> l.contains("(AGENT_LOST)"));
    assertThat(daemon.metrics().scrape())
        .contains("dbjobs_watchdog_agent_lost_total{node=\"wd1\"} 1")
        .containsPattern("dbjobs_jobs\\{node=\"wd1\",state=\"failed\",task=\"optimize\"} [1-9]");
  }

  @Test
  void aJobStateChangeIsLoggedOnce() {
    long id =
        jobs.enqueue(NewJob.of(Task.OPTIMIZE, Map.of(), "wd-" + UUID.randomUUID(), "log-test"))
            .job()
            .id();
    Waits.until(
        "the new job to be logged",
        Duration.ofSeconds(10),
        () -> !logs.linesContaining("job " + id + " on wd1 (optimize) queued").isEmpty());
    assertThat(agentSide.claim(id, "wd1@alive/1", Duration.ofMinutes(5))).isTrue();
    Waits.until(
        "the claim to be logged",
        Duration.ofSeconds(10),
        () ->
            !logs.linesContaining("job " + id + " on wd1 (optimize): queued -> running").isEmpty());
    agentSide.finish(
        id, "wd1@alive/1", io.dbjobs.common.job.JobOutcome.succeeded("done fine"), false);
    Waits.until(
        "the end to be logged",
        Duration.ofSeconds(10),
        () -> !logs.linesContaining("job " + id + " on wd1 (optimize) succeeded").isEmpty());
    assertThat(logs.linesContaining("job " + id + " on wd1 (optimize): queued -> running"))
        .hasSize(1);
  }

  @Test
  void anUnreachableNodeAndItsAgentAreLoggedOncePerOutage() throws Exception {
    Waits.until(
        "a dozen sweeps",
        Duration.ofSeconds(30),
        () ->
            daemon
                .metrics()
                .scrape()
                .matches("(?s).*dbjobs_watchdog_sweeps_total (1[2-9]|[2-9]\\d|\\d{3,}).*"));
    assertThat(logs.linesContaining("watchdog cannot sweep ghost")).hasSize(1);
    assertThat(logs.linesContaining("the agent of ghost")).hasSize(1);
    assertThat(daemon.metrics().scrape())
        .contains("dbjobs_node_up{node=\"ghost\"} 0")
        .contains("dbjobs_agent_up{node=\"ghost\"} 0")
        .contains("dbjobs_agent_up{node=\"wd1\"} 1")
        .contains("dbjobs_agent_last_seen_timestamp_seconds{node=\"wd1\"}")
        .doesNotContain("dbjobs_agent_last_seen_timestamp_seconds{node=\"ghost\"}");
  }

  @Test
  void aNodeThatComesBackIsLoggedOnceDownAndOnceUp() {
    DbServer n = fx.node(1);
    n.stop();
    try {
      Waits.until(
          "the outage to be noticed",
          Duration.ofSeconds(30),
          () -> !logs.linesContaining("watchdog cannot sweep wd1").isEmpty());
      long sweeps = sweeps();
      Waits.until("more sweeps", Duration.ofSeconds(30), () -> sweeps() >= sweeps + 4);
    } finally {
      n.start();
    }
    Waits.until(
        "the node to be back",
        Duration.ofSeconds(30),
        () -> !logs.linesContaining("wd1 (127.0.0.1:" + n.port() + ") answers again").isEmpty());
    assertThat(logs.linesContaining("watchdog cannot sweep wd1")).hasSize(1);
  }

  private static long sweeps() {
    return daemon
        .metrics()
        .scrape()
        .lines()
        .filter(l -> l.startsWith("dbjobs_watchdog_sweeps_total "))
        .mapToLong(l -> (long) Double.parseDouble(l.substring(l.indexOf(' ') + 1)))
        .findFirst()
        .orElse(0);
  }
}
