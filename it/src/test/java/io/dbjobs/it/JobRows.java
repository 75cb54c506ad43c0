package io.dbjobs.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbjobs.testkit.DbServer;
import io.dbjobs.testkit.Waits;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** A node's job rows as the tests see them (as the server's admin), and an agent's refusals. */
final class JobRows {
  private static final Set<String> FINAL = Set.of("4", "5", "6", "7");

  private JobRows() {}

  /** Row {@code id} of {@code node}'s jobs table, every column as text; empty when absent. */
  static Map<String, String> row(DbServer node, long id) {
    try (Connection c = node.connect();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT * FROM " + TableAttacker.JOBS + " WHERE id=" + id)) {
      Map<String, String> row = new LinkedHashMap<>();
      if (rs.next()) {
        ResultSetMetaData md = rs.getMetaData();
        for (int i = 1; i <= md.getColumnCount(); i++) {
          row.put(md.getColumnLabel(i), rs.getString(i));
        }
      }
      return row;
    } catch (SQLException e) {
      // the node may be restarting: not yet
      return Map.of();
    }
  }

  /** Waits until row {@code id} of {@code node} is in a final state, and returns it. */
  static Map<String, String> awaitEnd(DbServer node, long id, Duration timeout) {
    return Waits.until(
        "job " + id + " on " + node.name() + " to end",
        timeout,
        () -> row(node, id),
        r -> FINAL.contains(r.get("state")));
  }

  /**
   * Asserts that the agent refused row {@code id} of {@code node} without running it (failed with
   * UNAUTHENTICATED_JOB, never claimed), for a reason containing {@code because}.
   */
  static void assertRefused(DbServer node, long id, Duration timeout, String... because) {
    Map<String, String> r = awaitEnd(node, id, timeout);
    assertThat(r.get("error_code"))
        .as("job %s on %s: %s", id, node.name(), r)
        .isEqualTo("UNAUTHENTICATED_JOB");
    assertThat(r.get("state")).isEqualTo("5");
    assertThat(r.get("phase")).isEqualTo("refused");
    assertThat(r.get("attempts")).as("claims of job %s on %s", id, node.name()).isEqualTo("0");
    assertThat(r.get("secret_box")).isNull();
    assertThat(r.get("result")).contains("refused: ").contains("Nothing was done");
    for (String b : because) {
      assertThat(r.get("result")).as("why job %s on %s was refused", id, node.name()).contains(b);
    }
  }

  /** The sum of {@code dbjobs_agent_jobs_refused_total} an agent's endpoint reports. */
  static double refusedCount(int agentHttpPort) {
    try {
      HttpResponse<String> r =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(
                          URI.create("http://127.0.0.1:" + agentHttpPort + "/metrics"))
                      .header("Authorization", "Bearer " + FleetFixture.AGENT_TOKEN)
                      .timeout(Duration.ofSeconds(10))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      return r.body()
          .lines()
          .filter(l -> l.startsWith("dbjobs_agent_jobs_refused_total"))
          .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
          .sum();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
