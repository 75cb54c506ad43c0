package io.dbjobs.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbjobs.common.job.Job;
import io.dbjobs.common.job.JobState;
import io.dbjobs.common.job.Task;
import io.dbjobs.testkit.DbBackend;
import io.dbjobs.testkit.DbServer;
import io.dbjobs.testkit.ServerOptions;
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

/** stop, start and restart acting on a real server through its service commands. */
class AgentServiceIT {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static DbServer server;
  private static AgentFixture fx;
  @TempDir static Path dir;
  private Agent agent;

  @BeforeAll
  static void startServer() {
    server = DbBackend.local().start("svc", 1, ServerOptions.defaults());
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

  @AfterEach
  void stopAgent() {
    if (agent != null) {
      agent.stop("test over");
    }
    if (!server.answers()) {
      server.start();
    }
  }

  private String bootTime() {
    return server.value(
        "SELECT CAST(UNIX_TIMESTAMP() - VARIABLE_VALUE AS SIGNED) FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME='UPTIME'");
  }

  @Test
  void restartSucceedsOnlyOnceANewServerProcessAnswers() {
    agent = fx.startAgent("");
    server.execute(
        "CREATE DATABASE IF NOT EXISTS keep",
        "CREATE TABLE IF NOT EXISTS keep.t (id INT PRIMARY KEY)",
        "REPLACE INTO keep.t VALUES (42)");
    String bootBefore = bootTime();
    long id = fx.submit(Task.RESTART, Map.of());
    Job done = fx.await(id, JobState.SUCCEEDED, WAIT);
    assertThat(done.result()).contains("server restarted and answers after");
    assertThat(Long.parseLong(bootTime())).isGreaterThan(Long.parseLong(bootBefore));
    assertThat(server.value("SELECT id FROM keep.t")).isEqualTo("42");
  }

  @Test
  void stopTakesTheServerDownAndItsOutcomeIsWrittenWhenTheServerIsBack() {
    agent = fx.startAgent("");
    long id = fx.submit(Task.STOP, Map.of());
    Waits.until("the server to go down", WAIT, () -> !server.answers());
    // an operator (or a start job through the agent's HTTP endpoint) brings it back
    Waits.until(
        "the agent to keep the outcome",
        WAIT,
        () -> Files.exists(dir.resolve("work/outbox/" + id + ".json")));
    server.start();
    Job done = fx.await(id, JobState.SUCCEEDED, WAIT);
    assertThat(done.result()).contains("server stopped in");
    assertThat(dir.resolve("work/outbox/" + id + ".json")).doesNotExist();
  }

  @Test
  void startOnARunningServerRunsTheCommandAndReportsItWasRunning() {
    agent = fx.startAgent("");
    long id = fx.submit(Task.START, Map.of("timeout", "30s"));
    Job done = fx.await(id, JobState.SUCCEEDED, WAIT);
    assertThat(done.result()).contains("server was already running");
  }

  @Test
  void aFailingServiceCommandFailsTheJobWithItsExitCodeAndOutput() {
    agent =
        fx.startAgent(
            "service:\n  restart: \"echo 'Job for mariadb.service failed' >&2; exit 3\"\n");
    long id = fx.submit(Task.RESTART, Map.of());
    Job failed = fx.await(id, JobState.FAILED, WAIT);
    assertThat(failed.errorCode()).isEqualTo("SERVICE_COMMAND_FAILED");
    assertThat(failed.result()).contains("exited 3").contains("Job for mariadb.service failed");
    assertThat(server.answers()).isTrue();
  }

  @Test
  void stopFailsWhenTheServerKeepsAnsweringPastTheTimeout() {
    agent = fx.startAgent("service:\n  stop: [/bin/true]\n");
    long id = fx.submit(Task.STOP, Map.of("timeout", "2s"));
    Job failed = fx.await(id, JobState.FAILED, WAIT);
    assertThat(failed.errorCode()).isEqualTo("SERVER_NOT_ANSWERING");
    assertThat(failed.result()).contains("did not go down within 2.0s");
  }
}
