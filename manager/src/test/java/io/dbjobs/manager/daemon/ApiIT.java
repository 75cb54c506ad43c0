package io.dbjobs.manager.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dbjobs.manager.cli.DbJobsCli;
import io.dbjobs.testkit.ConfigFiles;
import io.dbjobs.testkit.FreePorts;
import io.dbjobs.testkit.LogCapture;
import io.dbjobs.testkit.Waits;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The daemon's HTTP API against a real node: the token, the fleet verbs, errors, secrets. */
class ApiIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir static Path dir;
  private static ServeFixture fx;
  private static LogCapture logs;
  private static Path config;

  @BeforeAll
  static void start() {
    logs = LogCapture.start();
    fx = new ServeFixture("api", 1, dir);
    config = fx.writeConfig("manager.yml", "schedules: []\n", "");
    fx.start(config, DaemonIntegrations.defaults());
  }

  @AfterAll
  static void stop() {
    if (fx != null) {
      fx.close();
    }
    if (logs != null) {
      logs.close();
    }
  }

  @Test
  void healthNeedsNoToken() throws Exception {
    HttpResponse<String> r = fx.call("GET", "/health", null, null);
    assertThat(r.statusCode()).isEqualTo(200);
    JsonNode h = JSON.readTree(r.body());
    assertThat(h.get("status").asText()).isEqualTo("ok");
    assertThat(h.get("scheduler").asText()).isEqualTo("started");
    assertThat(h.get("store").asText()).isEqualTo("ram");
    assertThat(h.get("nodes").asInt()).isEqualTo(1);
  }

  @Test
  void everyOtherCallRefusesAMissingOrWrongToken() throws Exception {
    String before = fx.node(1).value("SELECT COUNT(*) FROM replication_manager_schema.jobs");
    for (String token : new String[] {null, "wrong", ServeFixture.API_TOKEN + "x"}) {
      for (String path : List.of("/v1/nodes", "/v1/jobs", "/metrics", "/v1/schedules", "/nope")) {
        HttpResponse<String> r = fx.call("GET", path, token, null);
        assertThat(r.statusCode()).as(path + " with token " + token).isEqualTo(401);
        assertThat(r.headers().firstValue("WWW-Authenticate")).hasValue("Bearer");
        assertThat(JSON.readTree(r.body()).get("code").asText()).isEqualTo("UNAUTHORIZED");
      }
      HttpResponse<String> post =
          fx.call(
              "POST",
              "/v1/jobs",
              token,
              "{\"node\":\"api1\",\"task\":\"optimize\",\"idempotencyKey\":\"refused\"}");
      assertThat(post.statusCode()).isEqualTo(401);
    }
    assertThat(fx.call("GET", "/v1/nodes", null, null).body()).contains("missing Authorization");
    assertThat(fx.call("GET", "/v1/nodes", "nope", null).body()).contains("wrong API token");
    assertThat(fx.node(1).value("SELECT COUNT(*) FROM replication_manager_schema.jobs"))
        .isEqualTo(before);
  }

  @Test
  void theRightTokenIsServed() throws Exception {
    HttpResponse<String> nodes = fx.get("/v1/nodes");
    assertThat(nodes.statusCode()).isEqualTo(200);
    JsonNode n = JSON.readTree(nodes.body()).get(0);
    assertThat(n.get("name").asText()).isEqualTo("api1");
    assertThat(n.get("up").asBoolean()).isTrue();
    assertThat(n.get("role").asText()).isEqualTo("primary");
    String metrics =
        Waits.until(
            "the watchdog's gauges",
            Duration.ofSeconds(20),
            () -> fx.get("/metrics").body(),
            b -> b.contains("dbjobs_node_up{node=\"api1\"} 1"));
    assertThat(metrics).contains("dbjobs_watchdog_sweeps_total");
    assertThat(fx.get("/metrics").headers().firstValue("Content-Type").orElseThrow())
        .startsWith("text/plain");
  }

  @Test
  void jobsAreSubmittedReadAndCancelledThroughTheApi() throws Exception {
    String key = "api-it-" + UUID.randomUUID();
    String body =
        "{\"node\":\"api1\",\"task\":\"optimize\",\"params\":{\"mode\":\"analyze\"},"
            + "\"idempotencyKey\":\""
            + key
            + "\",\"submittedBy\":\"api-it\"}";
    HttpResponse<String> first = fx.post("/v1/jobs", body);
    assertThat(first.statusCode()).as(first.body()).isEqualTo(201);
    JsonNode job = JSON.readTree(first.body()).get("job");
    long id = job.get("id").asLong();
    assertThat(job.get("state").asText()).isEqualTo("queued");
    assertThat(job.get("params").get("mode").asText()).isEqualTo("analyze");
    HttpResponse<String> again = fx.post("/v1/jobs", body);
    assertThat(again.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(again.body()).get("created").asBoolean()).isFalse();
    assertThat(JSON.readTree(again.body()).get("job").get("id").asLong()).isEqualTo(id);

    assertThat(JSON.readTree(fx.get("/v1/jobs/api1/" + id).body()).get("idempotencyKey").asText())
        .isEqualTo(key);
    assertThat(
            JSON.readTree(fx.get("/v1/jobs/api1/by-key/" + key + "?task=optimize").body())
                .get("id")
                .asLong())
        .isEqualTo(id);
    JsonNode list = JSON.readTree(fx.get("/v1/jobs?node=api1&state=queued&limit=500").body());
    assertThat(list.get("jobs").findValues("id")).anyMatch(v -> v.asLong() == id);

    HttpResponse<String> cancel = fx.post("/v1/jobs/api1/" + id + "/cancel", "{\"by\":\"api-it\"}");
    assertThat(JSON.readTree(cancel.body()).get("result").asText()).isEqualTo("CANCELLED");
    JsonNode after = JSON.readTree(fx.get("/v1/jobs/api1/" + id).body());
    assertThat(after.get("state").asText()).isEqualTo("cancelled");
    assertThat(after.get("result").asText()).contains("cancelled by api-it");
  }

  @Test
  void errorsCarryTheirCodeAndAFittingStatus() throws Exception {
    assertError(fx.get("/v1/jobs/db9/1"), 404, "NOT_FOUND", "no node named 'db9'");
    assertError(fx.get("/v1/jobs/api1/999999"), 404, "NOT_FOUND", "no job 999999");
    assertError(fx.get("/v1/jobs/api1/x"), 400, "USAGE", "id must be a number");
    assertError(fx.get("/v1/jobs?state=sleeping"), 400, "USAGE", "unknown job state 'sleeping'");
    assertError(fx.get("/v1/jobs?limit=0"), 400, "USAGE", "limit must be a number");
    assertError(
        fx.post(
            "/v1/jobs", "{\"node\":\"api1\",\"task\":\"optimize\",\"params\":{\"mode\":\"x\"}}"),
        400,
        "BAD_PARAMETER",
        "parameter 'mode'='x' is not one of optimize, analyze");
    assertError(
        fx.post("/v1/jobs", "{\"node\":\"api1\",\"task\":\"defrag\"}"),
        400,
        "UNKNOWN_TASK",
        "unknown task 'defrag'");
    assertError(fx.post("/v1/jobs", "{not json"), 400, "USAGE", "not a valid SubmitBody");
    assertError(fx.get("/v1/nothing"), 404, "NOT_FOUND", "no such API path");
    assertError(fx.call("DELETE", "/v1/nodes", ServeFixture.API_TOKEN, null), 405, "USAGE", "");
  }

  private static void assertError(HttpResponse<String> r, int status, String code, String text)
      throws Exception {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    JsonNode e = JSON.readTree(r.body());
    assertThat(e.get("code").asText()).isEqualTo(code);
    assertThat(e.get("error").asText()).contains(text);
  }

  @Test
  void theCliSaysClearlyWhenTheTokenIsWrongMissingOrNobodyAnswers() {
    Path wrongToken = ConfigFiles.secret(dir.resolve("wrong"), "api.token", "not-the-token");
    Path wrong =
        ConfigFiles.write(
            dir.resolve("wrong.yml"),
            read(config).replace(fx.tokenFile.toString(), wrongToken.toString()));
    Cli r = cli("--config", wrong.toString(), "jobs");
    assertThat(r.exit).as(r.err).isEqualTo(4);
    assertThat(r.err)
        .contains("the dbjobs daemon at " + fx.apiUrl() + " refused the request: wrong API token")
        .contains("must be the daemon's")
        .doesNotContain("not-the-token");

    Path noToken =
        ConfigFiles.write(
            dir.resolve("notoken.yml"), read(config).replaceAll("(?m)^  token: .*\\n", ""));
    Cli m = cli("--config", noToken.toString(), "nodes");
    assertThat(m.exit).as(m.err).isEqualTo(3);
    assertThat(m.err).contains("needs its token: set api.token");

    int closed = FreePorts.next();
    Cli gone = cli("--config", config.toString(), "--api", "http://127.0.0.1:" + closed, "nodes");
    assertThat(gone.exit).as(gone.err).isEqualTo(4);
    assertThat(gone.err).contains("no dbjobs daemon answers at http://127.0.0.1:" + closed);
    assertThat(gone.err).contains("use --direct");

    Cli direct = cli("--config", config.toString(), "nodes", "--direct");
    assertThat(direct.exit).as(direct.err).isZero();
    assertThat(direct.out).contains("api1");
  }

  @Test
  void helpSaysWhereCommandsGo() {
    assertThat(cli("--help").out).contains("api.url").contains("--direct").contains("serve");
    assertThat(cli("jobs", "--help").out)
        .contains("Goes through the daemon's HTTP API when manager.yml sets api.url")
        .contains("--api=URL")
        .contains("--direct");
  }

  @Test
  void neitherTheTokenNorAPasswordReachesTheLogs() {
    Waits.until(
        "a refused call to be logged",
        Duration.ofSeconds(10),
        () -> {
          fx.call("GET", "/v1/nodes", "wrong-" + ServeFixture.API_TOKEN, null);
          return !logs.linesContaining("API refused").isEmpty();
        });
    assertThat(logs.linesContaining("config: api: url=" + fx.apiUrl()))
        .anyMatch(l -> l.contains("token=****(file:"));
    assertThat(logs.lines())
        .noneMatch(l -> l.contains(ServeFixture.API_TOKEN))
        .noneMatch(l -> l.contains(ServeFixture.MANAGER_PASSWORD));
  }

  private record Cli(int exit, String out, String err) {}

  private static Cli cli(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit = DbJobsCli.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
    return new Cli(exit, out.toString(), err.toString());
  }

  private static String read(Path p) {
    try {
      return Files.readString(p);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
