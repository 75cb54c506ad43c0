package io.dbjobs.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The manager wakes a node's agent after an enqueue: an agent that polls its table only once an
 * hour still claims and runs a job submitted now, so every command skips the poll's wait.
 */
class AgentWakeupIT {
  @TempDir static Path dir;
  private static FleetFixture fleet;

  @BeforeAll
  static void start() {
    fleet = new FleetFixture("wk", 1, dir, false);
    fleet.node(1).execute("CREATE DATABASE app", "CREATE TABLE app.t (id INT PRIMARY KEY)");
    fleet.cli("nodes"); // first contact creates the jobs table before the agent's only poll
    fleet.startAgent(fleet.node(1), "jobs:\n  pollInterval: 1h\n");
  }

  @AfterAll
  static void stop() {
    if (fleet != null) {
      fleet.close();
    }
  }

  @Test
  void anAgentPollingHourlyRunsAJobSubmittedNowBecauseTheManagerWakesIt() {
    for (int i = 0; i < 2; i++) { // the second wake proves the first was used up, not kept
      FleetFixture.Run r =
          fleet.cli(
              "submit",
              "--node",
              "wk1",
              "--task",
              "optimize",
              "--param",
              "tables=app.t",
              "--wait",
              "--timeout",
              "2m");
      assertThat(r.exit()).as(r.toString()).isZero();
      assertThat(r.out()).contains("succeeded");
    }
  }
}
