package io.dbjobs.manager.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.config.Secret;
import io.dbjobs.manager.api.ApiClient;
import io.dbjobs.manager.api.ApiResponse;
import io.dbjobs.testkit.RawHttp;
import io.dbjobs.testkit.Waits;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon's API on a real node, attacked over loopback sockets the way issue 9 measured it: slow
 * bodies with and without a token, a huge Content-Length, trickled headers, more connections than
 * the caps, every worker busy. {@code /health} and a valid call keep answering.
 *
 * <p>Each test connects from its own loopback address (127.0.0.x), since the caps count per
 * address. "Within a second" below is a deadline on a functional check (the answer came, and was
 * right), not a measurement.
 */
class ApiUnderAttackIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration SECOND = Duration.ofSeconds(1);
  private static final Duration ANSWER = Duration.ofSeconds(5);
  private static final int PER_ADDRESS = 20;
  private static final int UNAUTHENTICATED = 40;

  @TempDir static Path dir;
  private static ServeFixture fx;
  private static final CountDownLatch release = new CountDownLatch(1);
  private static final AtomicInteger blocked = new AtomicInteger();

  private final List<RawHttp> connections = new ArrayList<>();

  @BeforeAll
  static void start() {
    fx = new ServeFixture("load", 1, dir);
    Path config =
        fx.writeConfigWithApiKeys(
            "manager.yml",
            "headerTimeout: 4s\n"
                + "maxUnauthenticated: "
                + UNAUTHENTICATED
                + "\nmaxUnauthenticatedPerAddress: "
                + PER_ADDRESS
                + "\nthreads: 2\nqueue: 0\n",
            "schedules: []\n",
            "");
    fx.start(
        config,
        DaemonIntegrations.defaults()
            .withEndpoints(
                s ->
                    r ->
                        r.get(
                            "/v1/test/block",
                            req -> {
                              blocked.incrementAndGet();
                              try {
                                if (!release.await(30, TimeUnit.SECONDS)) {
                                  throw new DbJobsException(
                                      ErrorCode.TIMEOUT, "the test never released the block");
                                }
                              } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                                throw new DbJobsException(ErrorCode.INTERNAL, "interrupted", e);
                              }
                              return ApiResponse.ok(Map.of("released", true));
                            })));
    // the first call of each kind loads classes and opens the pool: not what is checked here
    assertThat(fx.get("/v1/nodes").statusCode()).isEqualTo(200);
  }

  @AfterAll
  static void stop() {
    release.countDown();
    if (fx != null) {
      fx.close();
    }
  }

  @AfterEach
  void closeConnections() {
    connections.forEach(RawHttp::close);
  }

  private RawHttp connectFrom(String address) {
    RawHttp c = RawHttp.connectFrom(address, "127.0.0.1", fx.apiPort);
    connections.add(c);
    return c;
  }

  /** One request on a fresh connection from {@code address}, its answer within {@code within}. */
  private RawHttp.Response call(String address, String path, String token, Duration within) {
    return connectFrom(address).send(RawHttp.request("GET", path, token, null)).read(within);
  }

  private void assertHealthy(RawHttp.Response health) throws Exception {
    assertThat(health.status()).isEqualTo(200);
    assertThat(JSON.readTree(health.body()).get("status").asText()).isEqualTo("ok");
  }

  private void assertNodesListed(RawHttp.Response nodes) throws Exception {
    assertThat(nodes.status()).as(nodes.body()).isEqualTo(200);
    JsonNode n = JSON.readTree(nodes.body()).get(0);
    assertThat(n.get("name").asText()).isEqualTo("load1");
    assertThat(n.get("up").asBoolean()).isTrue();
  }

  @Test
  void healthAndAValidCallAnswerWithinASecondWhileSixteenSlowBodiesWithAndWithoutTokenAreHeld()
      throws Exception {
    String key = "slow-" + UUID.randomUUID();
    byte[] job =
        ("{\"node\":\"load1\",\"task\":\"optimize\",\"params\":{\"mode\":\"analyze\"},"
                + "\"idempotencyKey\":\""
                + key
                + "\"}")
            .getBytes(StandardCharsets.UTF_8);
    int declared = 100_000;
    List<RawHttp> withToken = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      RawHttp anonymous = connectFrom("127.0.0.7");
      anonymous.send(RawHttp.head("POST", "/v1/jobs", null, declared)).send("{\"node\":");
      // refused from its headers: the body it promised never had to arrive
      RawHttp.Response refused = anonymous.read(ANSWER);
      assertThat(refused.status()).isEqualTo(401);
      assertThat(JSON.readTree(refused.body()).get("code").asText()).isEqualTo("UNAUTHORIZED");

      RawHttp slow = connectFrom("127.0.0.7");
      slow.send(RawHttp.head("POST", "/v1/jobs", ServeFixture.API_TOKEN, declared));
      slow.send(java.util.Arrays.copyOf(job, 10));
      withToken.add(slow);
    }

    assertHealthy(call("127.0.0.7", "/health", null, SECOND));
    assertNodesListed(call("127.0.0.7", "/v1/nodes", ServeFixture.API_TOKEN, SECOND));

    // the authenticated slow bodies were held, not dropped: one completes and is served
    RawHttp first = withToken.get(0);
    byte[] rest = new byte[declared - 10];
    java.util.Arrays.fill(rest, (byte) ' ');
    System.arraycopy(job, 10, rest, 0, job.length - 10);
    first.send(rest);
    RawHttp.Response created = first.read(ANSWER);
    assertThat(created.status()).as(created.body()).isEqualTo(201);
    assertThat(JSON.readTree(created.body()).get("job").get("idempotencyKey").asText())
        .isEqualTo(key);
  }

  @Test
  void aRequestWithoutTokenAndAHugeContentLengthIsRefusedBeforeItsBodyIsRead() throws Exception {
    RawHttp c = connectFrom("127.0.0.9");
    c.send(RawHttp.head("POST", "/v1/jobs", null, 1_000_000_000_000L));
    RawHttp.Response r = c.read(ANSWER);
    assertThat(r.status()).isEqualTo(401);
    assertThat(r.header("WWW-Authenticate")).isEqualTo("Bearer");
    assertThat(JSON.readTree(r.body()).get("error").asText()).contains("missing Authorization");
    assertThat(c.untilClosed(ANSWER)).isEmpty();

    RawHttp authed = connectFrom("127.0.0.9");
    authed.send(RawHttp.head("POST", "/v1/jobs", ServeFixture.API_TOKEN, 1_000_000_000_000L));
    RawHttp.Response tooLarge = authed.read(ANSWER);
    assertThat(tooLarge.status()).isEqualTo(413);
    assertThat(JSON.readTree(tooLarge.body()).get("error").asText())
        .contains("larger than 262144 bytes (maxBody)");
    assertThat(authed.untilClosed(ANSWER)).isEmpty();
  }

  @Test
  void aHeaderTrickledByteByByteIsCutByTheHeaderTimeout() throws Exception {
    RawHttp c = connectFrom("127.0.0.8");
    byte[] head =
        RawHttp.head("GET", "/v1/nodes", ServeFixture.API_TOKEN, -1, "X-Pad: " + "p".repeat(200))
            .getBytes(StandardCharsets.US_ASCII);
    AtomicInteger sent = new AtomicInteger();
    Thread trickle =
        new Thread(
            () -> {
              for (byte b : head) {
                if (!c.trySend(new byte[] {b})) {
                  return;
                }
                sent.incrementAndGet();
                try {
                  Thread.sleep(100);
                } catch (InterruptedException e) {
                  return;
                }
              }
            },
            "trickle");
    trickle.start();
    try {
      String answer = c.untilClosed(Duration.ofSeconds(20));
      assertThat(answer)
          .startsWith("HTTP/1.1 408")
          .contains("\"code\":\"TIMEOUT\"")
          .contains("within 4.0s (headerTimeout)");
      assertThat(sent.get()).isLessThan(head.length);
    } finally {
      trickle.interrupt();
      trickle.join(5000);
    }
    assertHealthy(call("127.0.0.8", "/health", null, SECOND));
  }

  @Test
  void connectionsOverTheCapsAreClosedAtOnceAndTheApiStillServes() throws Exception {
    List<RawHttp> holds = new ArrayList<>();
    for (int i = 0; i < PER_ADDRESS; i++) {
      holds.add(healthKeptAlive("127.0.0.3"));
    }
    // over the per-address cap: closed as it opens, nothing said
    assertThat(connectFrom("127.0.0.3").untilClosed(ANSWER)).isEmpty();
    // other addresses are served meanwhile
    assertHealthy(call("127.0.0.4", "/health", null, SECOND));
    assertNodesListed(call("127.0.0.4", "/v1/nodes", ServeFixture.API_TOKEN, SECOND));

    List<RawHttp> more = new ArrayList<>();
    for (int i = 0; i < UNAUTHENTICATED - PER_ADDRESS; i++) {
      more.add(healthKeptAlive("127.0.0.5"));
    }
    // over the server's cap: closed as it opens, whatever the address
    assertThat(connectFrom("127.0.0.6").untilClosed(ANSWER)).isEmpty();

    more.forEach(RawHttp::close);
    RawHttp.Response health =
        Waits.until(
            "the API to serve 127.0.0.6 once 127.0.0.5's connections are gone",
            ANSWER,
            () -> healthOrNull("127.0.0.6"),
            r -> r != null);
    assertHealthy(health);
    assertNodesListed(call("127.0.0.6", "/v1/nodes", ServeFixture.API_TOKEN, SECOND));
    holds.forEach(RawHttp::close);
  }

  /** A connection from {@code address} that asked {@code /health} and is kept alive. */
  private RawHttp healthKeptAlive(String address) {
    RawHttp h = connectFrom(address);
    assertThat(h.send(RawHttp.head("GET", "/health", null, -1)).read(ANSWER).status())
        .isEqualTo(200);
    return h;
  }

  private RawHttp.Response healthOrNull(String address) {
    RawHttp c = connectFrom(address);
    try {
      return c.send(RawHttp.request("GET", "/health", null, null)).read(ANSWER);
    } catch (AssertionError | java.io.UncheckedIOException refused) {
      return null; // closed as it opened: still over the cap
    } finally {
      c.close();
    }
  }

  @Test
  void healthAnswersWhileEveryWorkerIsBusyAndTheNextCallIsToldSo() throws Exception {
    RawHttp one =
        connectFrom("127.0.0.10")
            .send(RawHttp.request("GET", "/v1/test/block", ServeFixture.API_TOKEN, null));
    RawHttp two =
        connectFrom("127.0.0.10")
            .send(RawHttp.request("GET", "/v1/test/block", ServeFixture.API_TOKEN, null));
    Waits.until("both API threads to be busy", ANSWER, () -> blocked.get() == 2);

    RawHttp.Response busy = call("127.0.0.10", "/v1/test/block", ServeFixture.API_TOKEN, SECOND);
    assertThat(busy.status()).isEqualTo(503);
    assertThat(JSON.readTree(busy.body()).get("code").asText()).isEqualTo("SERVER_BUSY");
    assertHealthy(call("127.0.0.10", "/health", null, SECOND));
    ApiClient cli = new ApiClient(fx.apiUrl(), new Secret(ServeFixture.API_TOKEN, "test"), ANSWER);
    assertThatThrownBy(() -> cli.get("/v1/nodes", JsonNode.class))
        .isInstanceOf(DbJobsException.class)
        .hasMessageContaining("API is busy")
        .satisfies(e -> assertThat(((DbJobsException) e).code()).isEqualTo(ErrorCode.SERVER_BUSY));

    release.countDown();
    assertThat(one.read(ANSWER).status()).isEqualTo(200);
    assertThat(two.read(ANSWER).status()).isEqualTo(200);
    assertThat(blocked.get()).isEqualTo(2);
    assertThat(cli.get("/v1/nodes", JsonNode.class).get(0).get("name").asText()).isEqualTo("load1");
  }
}
