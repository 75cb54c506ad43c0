package io.dbjobs.agent.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.agentapi.AgentApi;
import io.dbjobs.common.config.Secret;
import io.dbjobs.testkit.RawHttp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The agent's endpoint over real loopback sockets, with a fake backend (what it serves is the
 * agent's business; how it serves it is tested here): routes, statuses, the error documents the
 * manager's AgentClient reads, and health under slow bodies.
 */
class AgentHttpTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String TOKEN = "agent-token-" + java.util.UUID.randomUUID();
  private static final Duration ANSWER = Duration.ofSeconds(5);
  private static final Duration SECOND = Duration.ofSeconds(1);

  private final AtomicReference<RuntimeException> submitFails = new AtomicReference<>();
  private final List<AgentApi.SubmitBody> submitted = new ArrayList<>();
  private final List<RawHttp> connections = new ArrayList<>();
  private final java.util.concurrent.atomic.AtomicInteger wakes =
      new java.util.concurrent.atomic.AtomicInteger();
  private AgentHttp http;

  private final AgentHttp.Backend backend =
      new AgentHttp.Backend() {
        @Override
        public AgentApi.Health health() {
          return new AgentApi.Health(
              "db1", "owner", "dev", false, 0, 0, java.util.List.of("0123456789abcdef"));
        }

        @Override
        public String metrics() {
          return "dbjobs_agent_running_jobs 0\n";
        }

        @Override
        public AgentApi.Facts facts() {
          return new AgentApi.Facts(123_456, "/var/lib/mysql/");
        }

        @Override
        public AgentApi.JobStatus submit(AgentApi.SubmitBody body) {
          if (submitFails.get() != null) {
            throw submitFails.get();
          }
          submitted.add(body);
          long id = body.task().equals("start") ? 0 : 42;
          return new AgentApi.JobStatus(
              id, body.idempotencyKey(), body.task(), "queued", null, null, null, null, null);
        }

        @Override
        public void wake() {
          wakes.incrementAndGet();
        }

        @Override
        public Optional<AgentApi.JobStatus> byKey(String key) {
          return key.equals("k 1/2")
              ? Optional.of(
                  new AgentApi.JobStatus(7, key, "start", "succeeded", null, "ok", null, 1L, 2L))
              : Optional.empty();
        }
      };

  @BeforeEach
  void start() {
    http = AgentHttp.start("127.0.0.1", 0, new Secret(TOKEN, "test"), backend);
  }

  @AfterEach
  void stop() {
    connections.forEach(RawHttp::close);
    http.close();
  }

  private RawHttp connect() {
    RawHttp c = RawHttp.connect("127.0.0.1", http.port());
    connections.add(c);
    return c;
  }

  private RawHttp.Response call(String method, String path, String token, String body) {
    return connect().send(RawHttp.request(method, path, token, body)).read(ANSWER);
  }

  private static AgentApi.Error error(RawHttp.Response r) throws Exception {
    return JSON.readValue(r.body(), AgentApi.Error.class);
  }

  @Test
  void servesHealthWithoutTokenAndEverythingElseOnlyWithIt() throws Exception {
    RawHttp.Response health = call("GET", "/health", null, null);
    assertThat(health.status()).isEqualTo(200);
    assertThat(JSON.readValue(health.body(), AgentApi.Health.class).node()).isEqualTo("db1");
    for (String token : new String[] {null, "nope"}) {
      RawHttp.Response r = call("GET", "/metrics", token, null);
      assertThat(r.status()).isEqualTo(401);
      assertThat(error(r).code()).isEqualTo("UNAUTHORIZED");
      assertThat(error(r).error()).contains("the cluster's agentToken");
    }
    assertThat(call("POST", "/v1/jobs", "nope", "{\"task\":\"start\"}").status()).isEqualTo(401);
    assertThat(submitted).isEmpty();
    RawHttp.Response metrics = call("GET", "/metrics", TOKEN, null);
    assertThat(metrics.body()).contains("dbjobs_agent_running_jobs");
    assertThat(metrics.header("Content-Type")).startsWith("text/plain");
  }

  @Test
  void aWakeNeedsTheTokenAndOnlyWakesTheLoop() throws Exception {
    assertThat(call("POST", "/v1/wake", null, null).status()).isEqualTo(401);
    assertThat(call("POST", "/v1/wake", "nope", null).status()).isEqualTo(401);
    assertThat(wakes).hasValue(0);
    assertThat(call("POST", "/v1/wake", TOKEN, null).status()).isEqualTo(202);
    assertThat(wakes).hasValue(1);
    assertThat(submitted).isEmpty();
  }

  @Test
  void answersASubmissionWith201WhenItHasARowAnd202WhenNot() throws Exception {
    RawHttp.Response queued =
        call("POST", "/v1/jobs", TOKEN, "{\"task\":\"optimize\",\"idempotencyKey\":\"a\"}");
    assertThat(queued.status()).isEqualTo(201);
    assertThat(JSON.readValue(queued.body(), AgentApi.JobStatus.class).id()).isEqualTo(42);
    RawHttp.Response started =
        call("POST", "/v1/jobs", TOKEN, "{\"task\":\"start\",\"idempotencyKey\":\"b\"}");
    assertThat(started.status()).isEqualTo(202);
    assertThat(submitted).extracting(AgentApi.SubmitBody::idempotencyKey).containsExactly("a", "b");
  }

  @Test
  void findsAJobByItsEncodedKeyAndAnswers404InTheErrorShape() throws Exception {
    RawHttp.Response found = call("GET", "/v1/jobs/by-key/k+1%2F2", TOKEN, null);
    assertThat(found.status()).isEqualTo(200);
    assertThat(JSON.readValue(found.body(), AgentApi.JobStatus.class).id()).isEqualTo(7);
    RawHttp.Response missing = call("GET", "/v1/jobs/by-key/other", TOKEN, null);
    assertThat(missing.status()).isEqualTo(404);
    assertThat(error(missing))
        .isEqualTo(
            new AgentApi.Error(
                "no job with key 'other' was submitted through this agent", "NOT_FOUND"));
  }

  @Test
  void aFailedSubmissionAnswersTheStatusOfItsCode() throws Exception {
    submitFails.set(
        new DbJobsException(ErrorCode.NODE_UNREACHABLE, "the database of db1 is unreachable"));
    RawHttp.Response down =
        call("POST", "/v1/jobs", TOKEN, "{\"task\":\"optimize\",\"idempotencyKey\":\"c\"}");
    assertThat(down.status()).isEqualTo(503);
    assertThat(error(down))
        .isEqualTo(new AgentApi.Error("the database of db1 is unreachable", "NODE_UNREACHABLE"));

    submitFails.set(new DbJobsException(ErrorCode.UNKNOWN_TASK, "unknown task 'defrag'"));
    assertThat(call("POST", "/v1/jobs", TOKEN, "{\"task\":\"defrag\"}").status()).isEqualTo(400);

    submitFails.set(new IllegalStateException("secret internals"));
    RawHttp.Response boom = call("POST", "/v1/jobs", TOKEN, "{\"task\":\"x\"}");
    assertThat(boom.status()).isEqualTo(500);
    assertThat(boom.body()).doesNotContain("secret internals");

    submitFails.set(null);
    RawHttp.Response garbled = call("POST", "/v1/jobs", TOKEN, "{not json");
    assertThat(garbled.status()).isEqualTo(400);
    assertThat(error(garbled).code()).isEqualTo("USAGE");
    assertThat(error(garbled).error()).contains("not a valid SubmitBody");
    assertThat(call("POST", "/v1/jobs", TOKEN, null).status()).isEqualTo(400);
    assertThat(call("GET", "/v1/jobs", TOKEN, null).status()).isEqualTo(405);
  }

  @Test
  void healthAndAValidCallAnswerWithinASecondWhileSixteenSlowBodiesWithAndWithoutTokenAreHeld()
      throws Exception {
    for (int i = 0; i < 16; i++) {
      RawHttp anonymous = connect();
      anonymous.send(RawHttp.head("POST", "/v1/jobs", null, 60_000)).send("{\"task\"");
      assertThat(anonymous.read(ANSWER).status()).isEqualTo(401);
      connect().send(RawHttp.head("POST", "/v1/jobs", TOKEN, 60_000)).send("{\"task\"");
    }
    assertThat(connect().send(RawHttp.request("GET", "/health", null, null)).read(SECOND).status())
        .isEqualTo(200);
    RawHttp.Response submitted =
        connect()
            .send(
                RawHttp.request(
                    "POST", "/v1/jobs", TOKEN, "{\"task\":\"optimize\",\"idempotencyKey\":\"d\"}"))
            .read(SECOND);
    assertThat(submitted.status()).isEqualTo(201);
    assertThat(this.submitted).extracting(AgentApi.SubmitBody::idempotencyKey).containsExactly("d");
  }
}
