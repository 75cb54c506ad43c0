package io.dbjobs.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.dbjobs.agent.Agent;
import io.dbjobs.common.health.Diagnosis;
import io.dbjobs.common.health.Verdict;
import io.dbjobs.manager.health.ClusterHealth;
import io.dbjobs.manager.health.HealthMetrics;
import io.dbjobs.manager.health.NodeHealth;
import io.dbjobs.manager.metrics.DaemonMetrics;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * deploy/monitoring: the alert rules and the Grafana dashboard parse, and every dbjobs metric they
 * name is one dbjobs exports: the agent's from a real agent's /metrics after it ran a job, the
 * daemon's from its meters after every one of them was fed once.
 */
class MonitoringIT {
  private static final Pattern METRIC = Pattern.compile("\\bdbjobs_[a-z0-9_]+");
  @TempDir static Path dir;
  private static FleetFixture fleet;
  private static Agent agent;

  @BeforeAll
  static void start() {
    fleet = new FleetFixture("mon", 1, dir, false);
    agent = fleet.startAgent(fleet.node(1), "");
  }

  @AfterAll
  static void stop() {
    if (fleet != null) {
      fleet.close();
    }
  }

  private static Path monitoring() {
    return DeployTest.deploy().resolve("monitoring");
  }

  /** Sample names in a Prometheus text exposition. */
  static Set<String> exported(String scrape) {
    Set<String> out = new TreeSet<>();
    for (String line : scrape.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      int end = line.indexOf('{');
      if (end < 0) {
        end = line.indexOf(' ');
      }
      out.add(line.substring(0, end));
    }
    return out;
  }

  /** The dbjobs metric names a text mentions. */
  static Set<String> named(String text) {
    Set<String> out = new TreeSet<>();
    Matcher m = METRIC.matcher(text);
    while (m.find()) {
      out.add(m.group());
    }
    return out;
  }

  private static String agentMetrics() throws Exception {
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + agent.httpPort() + "/metrics"))
                    .header("Authorization", "Bearer " + FleetFixture.AGENT_TOKEN)
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    return r.body();
  }

  /** The daemon's meters, each fed once, as /metrics shows them. */
  private static String daemonMetrics() {
    DaemonMetrics m = new DaemonMetrics(Clock.systemUTC());
    m.jobCounts("db1", Map.of(new DaemonMetrics.TaskState("optimize", "failed"), 1L));
    m.nodeUp("db1", true);
    m.agentUp("db1", true);
    m.agentSeen("db1", Instant.now());
    m.agentLost("db1", 1);
    m.sweepDone();
    m.scheduleFired("c", "s", "optimize");
    m.scheduleSkipped("c", "s", "optimize", "maintenance");
    m.backups().streamBytes("db1", "in", "backup", 1);
    m.backups().streamRate("db1", "in", 1);
    m.backups().newestGoodBackup("db1", "physical", Instant.now());
    m.backups().lastBackupResult("db1", "physical", true, Instant.now());
    HealthMetrics h = new HealthMetrics(m.registry());
    h.record(
        new ClusterHealth(
            "c",
            "db1",
            null,
            1,
            "manual",
            "manager.yml",
            List.of(
                new NodeHealth(
                    "c",
                    "db2",
                    "10.0.0.2:3306",
                    true,
                    "replica",
                    true,
                    Diagnosis.OK,
                    Verdict.HEALTHY,
                    List.of(),
                    List.of(),
                    "",
                    List.of(),
                    0,
                    0L,
                    "0-1-1",
                    null)),
            Instant.now()));
    h.checked();
    h.action("c", "db2", "recover");
    h.result("c", "db2", "recover", "succeeded");
    h.skipped("c", "maintenance");
    return m.scrape();
  }

  @Test
  void everyMetricTheAlertsAndTheDashboardNameIsExported() throws Exception {
    FleetFixture.Run r = fleet.cli("submit", "--node", "mon1", "--task", "optimize", "--wait");
    assertThat(r.exit()).as(r.toString()).isZero();
    Set<String> exported = new TreeSet<>(exported(agentMetrics()));
    exported.addAll(exported(daemonMetrics()));

    String alerts = Files.readString(monitoring().resolve("dbjobs-alerts.yml"));
    String dashboard = Files.readString(monitoring().resolve("dbjobs-dashboard.json"));
    Set<String> named = named(alerts);
    named.addAll(named(dashboard));
    assertThat(named).hasSizeGreaterThan(20);
    Set<String> missing = new TreeSet<>(named);
    missing.removeAll(exported);
    assertThat(missing).as("metrics named in deploy/monitoring but not exported").isEmpty();
    // the same check catches a name nobody exports
    Set<String> bogus = named("expr: rate(dbjobs_no_such_metric_total[5m]) > 0");
    bogus.removeAll(exported);
    assertThat(bogus).containsExactly("dbjobs_no_such_metric_total");
  }

  @Test
  void theAlertRulesAndTheDashboardAreWellFormed() throws Exception {
    JsonNode rules =
        new ObjectMapper(new YAMLFactory())
            .readTree(monitoring().resolve("dbjobs-alerts.yml").toFile());
    int n = 0;
    for (JsonNode g : rules.get("groups")) {
      assertThat(g.get("name").asText()).isNotBlank();
      for (JsonNode rule : g.get("rules")) {
        assertThat(rule.get("alert").asText()).startsWith("Dbjobs");
        assertThat(rule.get("expr").asText()).contains("dbjobs_");
        assertThat(rule.get("annotations").get("summary").asText()).isNotBlank();
        n++;
      }
    }
    assertThat(n).isGreaterThan(15);
    JsonNode dash =
        new ObjectMapper().readTree(monitoring().resolve("dbjobs-dashboard.json").toFile());
    assertThat(dash.get("uid").asText()).isEqualTo("dbjobs");
    int targets = 0;
    for (JsonNode p : dash.get("panels")) {
      if (p.has("targets")) {
        for (JsonNode t : p.get("targets")) {
          assertThat(t.get("expr").asText()).as(p.get("title").asText()).contains("dbjobs_");
          targets++;
        }
      }
    }
    assertThat(targets).isGreaterThan(25);
  }
}
