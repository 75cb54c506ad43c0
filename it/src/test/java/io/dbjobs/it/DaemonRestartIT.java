package io.dbjobs.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbjobs.common.job.JobState;
import io.dbjobs.common.job.Task;
import io.dbjobs.manager.daemon.DaemonIntegrations;
import io.dbjobs.manager.daemon.ManagerDaemon;
import io.dbjobs.testkit.LogCapture;
import io.dbjobs.testkit.Waits;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon keeps no state of its own: restarted while a job runs, the new daemon reads the job
 * from its node's row, and a CLI waiting through the API rides out the gap.
 */
class DaemonRestartIT {
  @TempDir static Path dir;
  private static FleetFixture fleet;
  private static DaemonSupport ds;
  private static LogCapture logs;

  @BeforeAll
  static void start() {
    logs = LogCapture.start();
    fleet = new FleetFixture("rs", 1, dir, false);
    // a start on a running server: the start command takes 8 s, then the server answers
    fleet.startAgent(fleet.node(1), "service:\n  start: [sleep, '8']\n  timeout: 60s\n");
    ds = new DaemonSupport(dir);
  }

  @AfterAll
  static void stop() {
    if (fleet != null) {
      fleet.close();
    }
    if (logs != null) {
      logs.close();
    }
  }

  @Test
  void aDaemonRestartedMidJobPicksTheJobUpFromItsRow() throws Exception {
    Path config =
        fleet.managerYaml("manager-api.yml", fleet.cluster.nodes(), "schedules: []\n", ds.yaml());
    ManagerDaemon first = DaemonSupport.start(config, DaemonIntegrations.defaults());
    ManagerDaemon second = null;
    try {
      CompletableFuture<FleetFixture.Run> waiting =
          CompletableFuture.supplyAsync(
              () ->
                  cli(
                      config,
                      "submit",
                      "--node",
                      "rs1",
                      "--task",
                      "start",
                      "--key",
                      "restart-it",
                      "--wait",
                      "--timeout",
                      "2m"));
      Waits.until("the job to run", Duration.ofSeconds(30), () -> "1".equals(state("restart-it")));
      first.stop("restart while the job runs");
      Thread.sleep(1500); // the waiting CLI finds no daemon for a moment
      second = DaemonSupport.start(config, DaemonIntegrations.defaults());
      Waits.until(
          "the new daemon to follow the running job",
          Duration.ofSeconds(10),
          () -> !logs.linesContaining("rs1: following 1 job not yet ended").isEmpty());

      FleetFixture.Run r = waiting.get(2, TimeUnit.MINUTES);
      assertThat(r.exit()).as(r.toString()).isZero();
      assertThat(r.out())
          .contains("queued on rs1: start")
          .contains("no dbjobs daemon answers at " + ds.url())
          .contains("the dbjobs daemon answers again")
          .contains("succeeded after");
      assertThat(
              ds.client()
                  .job(new io.dbjobs.common.job.JobRef("rs1", "restart-it", Task.START))
                  .job()
                  .state())
          .isEqualTo(JobState.SUCCEEDED);
      Waits.until(
          "the new daemon's watchdog to log the end",
          Duration.ofSeconds(10),
          () -> !logs.linesContaining("(start) succeeded after").isEmpty());
    } finally {
      first.stop("test over");
      if (second != null) {
        second.stop("test over");
      }
    }
  }

  /** The job's state column, or null while it (or the jobs table) does not exist yet. */
  private static String state(String key) {
    try {
      return fleet
          .node(1)
          .value(
              "SELECT state FROM replication_manager_schema.jobs WHERE idempotency_key='"
                  + key
                  + "'");
    } catch (IllegalStateException e) {
      return null;
    }
  }

  private static FleetFixture.Run cli(Path config, String... args) {
    java.io.StringWriter out = new java.io.StringWriter();
    java.io.StringWriter err = new java.io.StringWriter();
    List<String> all = new java.util.ArrayList<>(List.of("--config", config.toString()));
    all.addAll(List.of(args));
    int exit =
        io.dbjobs.manager.cli.DbJobsCli.run(
            new java.io.PrintWriter(out, true),
            new java.io.PrintWriter(err, true),
            all.toArray(String[]::new));
    return new FleetFixture.Run(exit, out.toString(), err.toString());
  }
}
