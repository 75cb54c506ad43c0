package io.dbjobs.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dbjobs.testkit.ConfigFiles;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The dbjobs command line against real nodes with real agents. */
class CliIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir static Path dir;
  private static FleetFixture fleet;
  private static final Path STOP_MARKER =
      Path.of(System.getProperty("java.io.tmpdir"), "dbjobs-cli-it-stop-" + UUID.randomUUID());

  @BeforeAll
  static void start() {
    fleet = new FleetFixture("cli", 2, dir, false);
    fleet
        .node(1)
        .execute(
            "CREATE DATABASE app",
            "CREATE TABLE app.t (id INT PRIMARY KEY, v TEXT)",
            "INSERT INTO app.t VALUES (1,'x')");
    fleet.startAgentsExcept(fleet.node(2));
    // cli2's stop command hangs until killed, so a stop job there stays running to be cancelled
    fleet.startAgent(
        fleet.node(2), "service:\n  stop: \"touch " + STOP_MARKER + "; exec sleep 300\"\n");
  }

  @AfterAll
  static void stop() {
    if (fleet != null) {
      fleet.close();
    }
  }

  @Test
  void nodesShowsRolesAndCreatesEachJobsTableOnFirstContact() throws Exception {
    FleetFixture.Run r = fleet.cli("nodes");
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out())
        .contains("cli1")
        .contains("cli2")
        .contains("primary")
        .contains("replica")
        .contains("io=Yes sql=Yes");
    JsonNode json = JSON.readTree(fleet.cli("nodes", "--json").out());
    assertThat(json).hasSize(2);
    assertThat(json.get(1).get("role").asText()).isEqualTo("replica");
    assertThat(json.get(1).get("readOnly").asBoolean()).isTrue();
    for (int i = 1; i <= 2; i++) {
      assertThat(
              fleet
                  .node(i)
                  .value(
                      "SELECT TABLE_COMMENT FROM information_schema.TABLES WHERE TABLE_NAME='jobs'"))
          .isEqualTo("dbjobs schema v" + io.dbjobs.common.jobs.JobsSchema.VERSION);
    }
  }

  @Test
  void submitWaitFollowsTheJobAndExitsZeroOnSuccess() throws Exception {
    FleetFixture.Run r =
        fleet.cli(
            "submit", "--node", "cli2", "--task", "optimize", "--param", "tables=app.*", "--wait");
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out())
        .contains("queued on cli2: optimize")
        .contains("succeeded after")
        .contains("optimize done on 1 tables");
    JsonNode last =
        JSON.readTree(fleet.cli("jobs", "--node", "cli2", "--limit", "1", "--json").out()).get(0);
    assertThat(last.get("state").asText()).isEqualTo("succeeded");
    assertThat(last.get("params").get("tables").asText()).isEqualTo("app.*");
    assertThat(last.get("submittedBy").asText()).contains("dbjobs cli");
  }

  @Test
  void submitWaitExitsNonZeroWhenTheJobFails() {
    FleetFixture.Run r =
        fleet.cli(
            "submit",
            "--node",
            "cli1",
            "--task",
            "optimize",
            "--param",
            "tables=app.missing",
            "--wait");
    assertThat(r.exit()).as(r.toString()).isEqualTo(1);
    assertThat(r.out())
        .contains("failed after")
        .contains("(BAD_PARAMETER)")
        .contains("app.missing");
  }

  @Test
  void badParametersAreRefusedBeforeAnythingIsEnqueued() throws Exception {
    String before = fleet.node(1).value("SELECT COUNT(*) FROM replication_manager_schema.jobs");
    FleetFixture.Run r =
        fleet.cli("submit", "--node", "cli1", "--task", "optimize", "--param", "mode=defrag");
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).contains("parameter 'mode'='defrag' is not one of optimize, analyze");
    FleetFixture.Run u = fleet.cli("submit", "--node", "cli1", "--task", "reseedmysqldump");
    assertThat(u.err()).contains("unknown task 'reseedmysqldump'; known tasks:");
    FleetFixture.Run n = fleet.cli("submit", "--node", "db9", "--task", "optimize");
    assertThat(n.exit()).isEqualTo(5);
    assertThat(n.err()).contains("no node named 'db9'").contains("cli1, cli2");
    assertThat(fleet.node(1).value("SELECT COUNT(*) FROM replication_manager_schema.jobs"))
        .isEqualTo(before);
  }

  @Test
  void aSecondSubmitWithTheSameKeyCreatesNoSecondJob() throws Exception {
    String key = "nightly-" + UUID.randomUUID();
    FleetFixture.Run first =
        fleet.cli(
            "submit",
            "--node",
            "cli1",
            "--task",
            "optimize",
            "--param",
            "mode=analyze",
            "--key",
            key,
            "--json");
    FleetFixture.Run again =
        fleet.cli(
            "submit",
            "--node",
            "cli1",
            "--task",
            "optimize",
            "--param",
            "mode=analyze",
            "--key",
            key);
    long id = JSON.readTree(first.out()).get("id").asLong();
    assertThat(again.exit()).isZero();
    assertThat(again.out()).contains("job " + id + " on cli1 already exists for key '" + key + "'");
    assertThat(
            fleet
                .node(1)
                .value(
                    "SELECT COUNT(*) FROM replication_manager_schema.jobs WHERE idempotency_key='"
                        + key
                        + "'"))
        .isEqualTo("1");
  }

  @Test
  void cancelStopsARunningJobAndReportsIt() throws Exception {
    FleetFixture.Run s = fleet.cli("submit", "--node", "cli2", "--task", "stop", "--json");
    long id = JSON.readTree(s.out()).get("id").asLong();
    io.dbjobs.testkit.Waits.until(
        "the stop command to run",
        java.time.Duration.ofSeconds(30),
        () -> java.nio.file.Files.exists(STOP_MARKER));
    FleetFixture.Run c = fleet.cli("cancel", "--node", "cli2", Long.toString(id), "--wait");
    assertThat(c.exit()).as(c.toString()).isZero();
    assertThat(c.out())
        .contains("is running; its agent was asked to stop it")
        .contains("job " + id + " on cli2 cancelled");
    assertThat(fleet.node(2).answers()).isTrue();
    FleetFixture.Run again = fleet.cli("cancel", "--node", "cli2", Long.toString(id));
    assertThat(again.out()).contains("had already ended: cancelled");
    java.nio.file.Files.deleteIfExists(STOP_MARKER);
  }

  @Test
  void anInvalidManagerConfigNamesEveryBadKeyAndExits3() {
    Path bad =
        ConfigFiles.write(
            dir.resolve("bad.yml"),
            "clusters:\n  - name: prod\n    credentials: {password: secret123}\n    nodes:\n      - {name: a, port: 70000}\n      - {name: a, host: h}\n");
    java.io.StringWriter out = new java.io.StringWriter();
    java.io.StringWriter err = new java.io.StringWriter();
    int exit =
        io.dbjobs.manager.cli.DbJobsCli.run(
            new java.io.PrintWriter(out, true),
            new java.io.PrintWriter(err, true),
            "--config",
            bad.toString(),
            "nodes");
    assertThat(exit).isEqualTo(3);
    assertThat(err.toString())
        .contains("bad.yml has 4 problems")
        .contains("clusters[0].credentials.password: must reference the secret")
        .contains("clusters[0].nodes[0].host: is required")
        .contains("clusters[0].nodes[0].port: is 70000")
        .contains("clusters[0].nodes[1].name: node name 'a' is already used")
        .doesNotContain("secret123");
  }
}
