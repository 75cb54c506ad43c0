package io.dbjobs.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dbjobs.testkit.DbServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stopping a node and starting it again from the CLI: the start reaches the agent over HTTP while
 * the node's database is down, and both jobs end up in the node's history.
 */
class StopStartIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir static Path dir;
  private static FleetFixture fleet;

  @BeforeAll
  static void start() {
    fleet = new FleetFixture("ss", 1, dir, false);
    fleet.startAgents();
  }

  @AfterAll
  static void stop() {
    if (fleet != null) {
      fleet.close();
    }
  }

  @Test
  void stopThenStartFromTheCliRecordsBothJobsInTheNodesHistory() throws Exception {
    DbServer node = fleet.node(1);
    node.execute(
        "CREATE DATABASE IF NOT EXISTS keep",
        "CREATE TABLE IF NOT EXISTS keep.t (id INT PRIMARY KEY)",
        "REPLACE INTO keep.t VALUES (7)");

    FleetFixture.Run stop =
        fleet.cli("submit", "--node", "ss1", "--task", "stop", "--wait", "--timeout", "2m");
    assertThat(stop.exit()).as(stop.toString()).isZero();
    assertThat(stop.out()).contains("its agent reports the job succeeded");
    assertThat(node.answers()).isFalse();

    FleetFixture.Run refused = fleet.cli("submit", "--node", "ss1", "--task", "optimize");
    assertThat(refused.exit()).as(refused.toString()).isEqualTo(4);

    FleetFixture.Run start =
        fleet.cli("submit", "--node", "ss1", "--task", "start", "--wait", "--timeout", "2m");
    assertThat(start.exit()).as(start.toString()).isZero();
    assertThat(start.out())
        .contains("sent to its agent (the database does not answer)")
        .contains("succeeded");
    assertThat(node.answers()).isTrue();
    assertThat(node.value("SELECT id FROM keep.t")).isEqualTo("7");

    // both rows: the stop's kept outcome and the start's inserted history row
    JsonNode jobs =
        io.dbjobs.testkit.Waits.until(
            "both jobs in the history",
            java.time.Duration.ofSeconds(30),
            () -> read(fleet.cli("jobs", "--node", "ss1", "--json").out()),
            j ->
                j.size() >= 2
                    && "succeeded".equals(j.get(0).get("state").asText())
                    && "succeeded".equals(j.get(1).get("state").asText()));
    assertThat(jobs.get(0).get("task").asText()).isEqualTo("start");
    assertThat(jobs.get(1).get("task").asText()).isEqualTo("stop");
    assertThat(jobs.get(1).get("result").asText()).contains("server stopped in");
  }

  @Test
  void theAgentEndpointServesHealthFreelyAndEverythingElseOnlyWithTheToken() throws Exception {
    int port =
        Integer.parseInt(
            java.nio.file.Files.readString(fleet.managerYml)
                .lines()
                .filter(l -> l.contains("agentPort:"))
                .findFirst()
                .orElseThrow()
                .replaceAll("\\D", ""));
    HttpClient http = HttpClient.newHttpClient();
    HttpResponse<String> health =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health")).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(health.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(health.body()).get("node").asText()).isEqualTo("ss1");
    HttpResponse<String> noToken =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(noToken.statusCode()).isEqualTo(401);
    HttpResponse<String> wrong =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/jobs"))
                .header("Authorization", "Bearer nope")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"task\":\"start\",\"idempotencyKey\":\"x\"}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(wrong.statusCode()).isEqualTo(401);
    HttpResponse<String> metrics =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                .header("Authorization", "Bearer " + FleetFixture.AGENT_TOKEN)
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(metrics.statusCode()).isEqualTo(200);
    assertThat(metrics.body())
        .contains("dbjobs_agent_database_up")
        .contains("dbjobs_agent_running_jobs");
  }

  private static JsonNode read(String json) {
    try {
      return JSON.readTree(json);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
