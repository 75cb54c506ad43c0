package io.dbjobs.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dbjobs.manager.cli.DbJobsCli;
import io.dbjobs.manager.daemon.DaemonIntegrations;
import io.dbjobs.manager.daemon.ManagerDaemon;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI through a running daemon's API gives what it gives directly against the nodes: the same
 * output, the same errors, the same exit statuses.
 */
class CliApiIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir static Path dir;
  private static FleetFixture fleet;
  private static DaemonSupport ds;
  private static ManagerDaemon daemon;
  private static Path viaApi;
  private static Path tokenOnly;

  @BeforeAll
  static void start() {
    fleet = new FleetFixture("ca", 2, dir, false);
    fleet
        .node(1)
        .execute(
            "CREATE DATABASE app",
            "CREATE TABLE app.t (id INT PRIMARY KEY, v TEXT)",
            "INSERT INTO app.t VALUES (1,'x')");
    fleet.startAgents();
    ds = new DaemonSupport(dir);
    viaApi = fleet.managerYaml("api.yml", fleet.cluster.nodes(), "schedules: []\n", ds.yaml());
    // the token but no api.url: direct unless --api is given
    tokenOnly =
        fleet.managerYaml(
            "token-only.yml",
            fleet.cluster.nodes(),
            "schedules: []\n",
            "api:\n  token: {file: " + ds.tokenFile + "}\n");
    daemon = DaemonSupport.start(viaApi, DaemonIntegrations.defaults());
  }

  @AfterAll
  static void stop() {
    if (daemon != null) {
      daemon.stop("test over");
    }
    if (fleet != null) {
      fleet.close();
    }
  }

  @Test
  void nodesAreTheSameThroughTheApiAndDirectly() throws Exception {
    Run api = cli(viaApi, "nodes", "--json");
    Run direct = cli(viaApi, "nodes", "--json", "--direct");
    assertThat(api.exit).as(api.err).isZero();
    assertThat(JSON.readTree(api.out)).isEqualTo(JSON.readTree(direct.out));
    assertThat(cli(viaApi, "nodes").out).isEqualTo(cli(viaApi, "--direct", "nodes").out);
    Run flag = cli(tokenOnly, "nodes", "--json", "--api", ds.url());
    assertThat(JSON.readTree(flag.out)).isEqualTo(JSON.readTree(direct.out));
  }

  @Test
  void aJobSubmittedThroughTheApiRunsAndReadsTheSameBothWays() throws Exception {
    Run s =
        cli(
            viaApi,
            "submit",
            "--node",
            "ca2",
            "--task",
            "optimize",
            "--param",
            "tables=app.*",
            "--wait",
            "--json");
    assertThat(s.exit).as(s.err).isZero();
    JsonNode job = JSON.readTree(s.out);
    assertThat(job.get("state").asText()).isEqualTo("succeeded");
    assertThat(job.get("result").asText()).contains("optimize done on 1 tables");
    String id = job.get("id").asText();

    assertThat(JSON.readTree(cli(viaApi, "jobs", "--node", "ca2", id, "--json").out))
        .isEqualTo(JSON.readTree(cli(tokenOnly, "jobs", "--node", "ca2", id, "--json").out));
    assertThat(cli(viaApi, "jobs", "--node", "ca2", id).out)
        .isEqualTo(cli(tokenOnly, "jobs", "--node", "ca2", id).out);
    assertThat(JSON.readTree(cli(viaApi, "jobs", "--limit", "5", "--json").out))
        .isEqualTo(JSON.readTree(cli(tokenOnly, "jobs", "--limit", "5", "--json").out));
    Run again = cli(viaApi, "cancel", "--node", "ca2", id);
    assertThat(again.out).isEqualTo(cli(tokenOnly, "cancel", "--node", "ca2", id).out);
    assertThat(again.out).contains("had already ended: succeeded");
  }

  @Test
  void errorsAreTheSameThroughTheApiAndDirectly() {
    List<String[]> cases =
        List.of(
            new String[] {"submit", "--node", "db9", "--task", "optimize"},
            new String[] {"submit", "--node", "ca1", "--task", "optimize", "--param", "mode=x"},
            new String[] {"submit", "--node", "ca1", "--task", "optimize", "--param", "bad=1"},
            new String[] {"jobs", "--node", "ca1", "999999"},
            new String[] {"jobs", "--state", "sleeping"},
            new String[] {"cancel", "--node", "ca1", "999999"});
    for (String[] c : cases) {
      Run api = cli(viaApi, c);
      List<String> d = new ArrayList<>(List.of(c));
      d.add("--direct");
      Run direct = cli(viaApi, d.toArray(String[]::new));
      assertThat(api.exit).as(String.join(" ", c) + "\n" + api.err).isEqualTo(direct.exit);
      assertThat(api.exit).isNotZero();
      assertThat(api.err).isEqualTo(direct.err);
    }
  }

  @Test
  void theAgentEndpointAnswersAFailedRequestWithItsError() throws Exception {
    int agentPort =
        Integer.parseInt(
            java.nio.file.Files.readString(fleet.managerYml)
                .lines()
                .filter(l -> l.contains("agentPort:"))
                .findFirst()
                .orElseThrow()
                .replaceAll("\\D", ""));
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + agentPort + "/v1/jobs"))
                    .header("Authorization", "Bearer " + FleetFixture.AGENT_TOKEN)
                    .POST(
                        HttpRequest.BodyPublishers.ofString(
                            "{\"task\":\"defrag\",\"idempotencyKey\":\"x\"}"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).contains("UNKNOWN_TASK").contains("unknown task 'defrag'");
  }

  private record Run(int exit, String out, String err) {}

  private static Run cli(Path config, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    List<String> all = new ArrayList<>(List.of("--config", config.toString()));
    all.addAll(List.of(args));
    int exit =
        DbJobsCli.run(
            new PrintWriter(out, true), new PrintWriter(err, true), all.toArray(String[]::new));
    return new Run(exit, out.toString(), err.toString());
  }
}
