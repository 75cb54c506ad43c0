package io.dbjobs.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbjobs.common.job.Job;
import io.dbjobs.common.job.JobState;
import io.dbjobs.common.job.Task;
import io.dbjobs.testkit.DbBackend;
import io.dbjobs.testkit.DbServer;
import io.dbjobs.testkit.LogCapture;
import io.dbjobs.testkit.ServerOptions;
import io.dbjobs.testkit.Waits;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agent when things go wrong around it: its database restarts, it is stopped or killed. */
class AgentResilienceIT {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static DbServer server;
  private static AgentFixture fx;
  @TempDir static Path dir;

  @BeforeAll
  static void startServer() {
    server = DbBackend.local().start("resil", 1, ServerOptions.defaults());
    fx = new AgentFixture(server, dir);
  }

  @AfterAll
  static void stopServer() {
    if (fx != null) {
      fx.close();
    }
    if (server != null) {
      server.close();
    }
  }

  /** A stop command that never returns (until killed), leaving its pid in a file. */
  private static String hangingStop(Path pidFile) {
    return "service:\n  stop: \"echo $$ > " + pidFile + "; exec sleep 300\"\n  timeout: 10m\n";
  }

  @Test
  void keepsPollingThroughADatabaseRestartAndClaimsJobsAfterIt() {
    try (LogCapture logs = LogCapture.start()) {
      Agent agent = fx.startAgent("");
      try {
        long before = fx.submit(Task.OPTIMIZE, Map.of("mode", "analyze"));
        fx.await(before, JobState.SUCCEEDED, WAIT);
        server.stop();
        Waits.until(
            "the agent to notice the database is gone",
            WAIT,
            () -> !logs.linesContaining("unreachable").isEmpty());
        server.start();
        long after = fx.submit(Task.OPTIMIZE, Map.of("mode", "analyze"));
        Job done = fx.await(after, JobState.SUCCEEDED, WAIT);
        assertThat(done.leaseOwner()).isEqualTo(agent.owner());
        Waits.until(
            "the agent to say the database is back",
            WAIT,
            () -> !logs.linesContaining("answers again after").isEmpty());
      } finally {
        agent.stop("test over");
      }
    }
  }

  @Test
  void sigtermEndsARunningJobAsFailedAgentStoppedAndKillsItsTool() throws Exception {
    Path pidFile = dir.resolve("hang-" + UUID.randomUUID());
    Path config = fx.writeConfig("jobs:\n  pollInterval: 100ms\n" + hangingStop(pidFile));
    try (AgentProcess p = AgentProcess.start(config, dir.resolve("sigterm.log"))) {
      long id = fx.submit(Task.STOP, Map.of());
      fx.await(id, JobState.RUNNING, WAIT);
      Waits.until("the stop command to run", WAIT, () -> Files.exists(pidFile));
      long toolPid = Long.parseLong(Files.readString(pidFile).trim());
      // 143 = 128 + SIGTERM: how a JVM ends after its shutdown hooks ran (systemd:
      // SuccessExitStatus=143)
      assertThat(p.terminate(WAIT))
          .as("exit status after SIGTERM; log:\n%s", p.log())
          .isEqualTo(143);
      assertThat(p.log()).contains("stopping: SIGTERM").contains("stopped");
      Job stopped = fx.job(id);
      assertThat(stopped.state()).isEqualTo(JobState.FAILED);
      assertThat(stopped.errorCode()).isEqualTo("AGENT_STOPPED");
      assertThat(stopped.result()).contains("agent stopped (SIGTERM) while the job was running");
      assertThat(ProcessHandle.of(toolPid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
      assertThat(server.answers()).isTrue();
    }
  }

  @Test
  void aKilledAgentsJobIsReportedLostAfterItsLeaseAndNeverReRun() throws Exception {
    Path pidFile = dir.resolve("hang-" + UUID.randomUUID());
    Path config =
        fx.writeConfig(
            "jobs:\n  pollInterval: 100ms\n  lease: 3s\n  heartbeat: 500ms\n"
                + hangingStop(pidFile));
    long id;
    try (AgentProcess p = AgentProcess.start(config, dir.resolve("kill.log"))) {
      id = fx.submit(Task.STOP, Map.of());
      fx.await(id, JobState.RUNNING, WAIT);
      Waits.until("the stop command to run", WAIT, () -> Files.exists(pidFile));
      p.kill();
    }
    ProcessHandle.of(Long.parseLong(Files.readString(pidFile).trim()))
        .ifPresent(ProcessHandle::destroyForcibly);
    // the restarted agent finds the dead one's job once its lease has expired
    Agent restarted = fx.startAgent("");
    try {
      Job lost = fx.await(id, JobState.FAILED, WAIT);
      assertThat(lost.errorCode()).isEqualTo("AGENT_LOST");
      assertThat(lost.result())
          .contains("agent lost")
          .contains("was not re-run")
          .contains("noticed by " + restarted.owner());
      assertThat(lost.attempts()).isEqualTo(1);
      assertThat(server.answers()).as("the destructive stop job was not re-run").isTrue();
    } finally {
      restarted.stop("test over");
    }
  }

  @Test
  void neverLogsThePasswordEvenWhenEverythingFails() throws Exception {
    Path config = fx.writeConfig("jobs:\n  pollInterval: 100ms\n");
    try (LogCapture logs = LogCapture.start()) {
      Agent agent = Agent.start(AgentFixture.parse(config));
      long ok = fx.submit(Task.OPTIMIZE, Map.of());
      fx.await(ok, JobState.SUCCEEDED, WAIT);
      long bad = fx.submit(Task.OPTIMIZE, Map.of("tables", "nope.nope"));
      fx.await(bad, JobState.FAILED, WAIT);
      server.stop();
      Waits.until(
          "the agent to report the outage",
          WAIT,
          () -> !logs.linesContaining("unreachable").isEmpty());
      server.start();
      agent.stop("test over");
      assertThat(logs.lines()).isNotEmpty().noneMatch(l -> l.contains(AgentFixture.AGENT_PASSWORD));
      assertThat(logs.linesContaining("password=****")).isNotEmpty();
    }
    // and in a separate process' whole output (startup, config dump, shutdown)
    try (AgentProcess p = AgentProcess.start(config, dir.resolve("pw.log"))) {
      long id = fx.submit(Task.OPTIMIZE, Map.of("mode", "analyze"));
      fx.await(id, JobState.SUCCEEDED, WAIT);
      p.terminate(WAIT);
      assertThat(p.log()).contains("config: database=").doesNotContain(AgentFixture.AGENT_PASSWORD);
    }
  }
}
