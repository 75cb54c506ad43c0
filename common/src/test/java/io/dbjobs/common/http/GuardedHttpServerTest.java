package io.dbjobs.common.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.config.Secret;
import io.dbjobs.testkit.LogCapture;
import io.dbjobs.testkit.RawHttp;
import io.dbjobs.testkit.Waits;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The guarded server on real loopback sockets, with test routes: token before body, timeouts, caps,
 * the worker pool, keep-alive and the error mapping.
 */
class GuardedHttpServerTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String TOKEN = "test-token-" + java.util.UUID.randomUUID();
  private static final Duration ANSWER = Duration.ofSeconds(5);

  private final CountDownLatch release = new CountDownLatch(1);
  private final AtomicInteger blocked = new AtomicInteger();
  private final List<RawHttp> held = new ArrayList<>();
  private GuardedHttpServer server;

  /** headerTimeout 1s, bodyTimeout 1s, maxBody 1024, 20 connections, 6 unauthenticated, 3 each. */
  private static HttpLimits limits(int threads, int queue) {
    return new HttpLimits(
        Duration.ofSeconds(1), Duration.ofSeconds(1), 1024, 1024, 20, 6, 3, threads, queue);
  }

  private GuardedHttpServer start(HttpLimits limits) {
    HttpRouter r =
        new HttpRouter()
            .open("GET", "/health", c -> HttpReply.json(200, Map.of("status", "ok"), JSON))
            .get("/v1/echo", c -> HttpReply.json(200, c.query(), JSON))
            .post("/v1/echo", c -> HttpReply.text(200, "text/plain", "got " + c.body().length))
            .get(
                "/v1/block",
                c -> {
                  blocked.incrementAndGet();
                  try {
                    if (!release.await(20, TimeUnit.SECONDS)) {
                      throw new DbJobsException(ErrorCode.TIMEOUT, "the test never released");
                    }
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new DbJobsException(ErrorCode.INTERNAL, "interrupted", e);
                  }
                  return HttpReply.text(200, "text/plain", "released");
                })
            .get(
                "/v1/fail",
                c -> {
                  throw new DbJobsException(ErrorCode.NOT_FOUND, "no node named 'db9'");
                })
            .get(
                "/v1/boom",
                c -> {
                  throw new IllegalStateException("internal detail jdbc:mysql://10.0.0.1");
                });
    server =
        GuardedHttpServer.start(
            new GuardedHttpServer.Settings(
                "test API",
                "127.0.0.1",
                0,
                new Secret(TOKEN, "test"),
                "the test's token",
                "test.bind/test.port",
                limits),
            r);
    return server;
  }

  @AfterEach
  void stop() {
    release.countDown();
    held.forEach(RawHttp::close);
    if (server != null) {
      server.close();
    }
  }

  private RawHttp connect() {
    return connectFrom(null);
  }

  private RawHttp connectFrom(String local) {
    RawHttp c = RawHttp.connectFrom(local, "127.0.0.1", server.port());
    held.add(c);
    return c;
  }

  private RawHttp.Response call(String method, String path, String token, String body) {
    return connect().send(RawHttp.request(method, path, token, body)).read(ANSWER);
  }

  private static JsonNode json(RawHttp.Response r) throws Exception {
    return JSON.readTree(r.body());
  }

  @Test
  void answersHealthWithoutATokenAndEverythingElseOnlyWithIt() throws Exception {
    start(limits(2, 2));
    assertThat(call("GET", "/health", null, null).status()).isEqualTo(200);
    for (String token : new String[] {null, "wrong", TOKEN + "x"}) {
      for (String path : List.of("/v1/echo", "/nope", "/health/x")) {
        RawHttp c = connect();
        RawHttp.Response r = c.send(RawHttp.request("GET", path, token, null)).read(ANSWER);
        assertThat(r.status()).as(path + " with " + token).isEqualTo(401);
        assertThat(r.header("WWW-Authenticate")).isEqualTo("Bearer");
        assertThat(r.header("Connection")).isEqualTo("close");
        assertThat(json(r).get("code").asText()).isEqualTo("UNAUTHORIZED");
        assertThat(json(r).get("error").asText())
            .contains(token == null ? "missing Authorization: Bearer" : "wrong test API token")
            .contains("the test's token");
        assertThat(c.untilClosed(ANSWER)).isEmpty();
      }
    }
    assertThat(call("POST", "/health", null, "{}").status()).isEqualTo(401);
    assertThat(call("GET", "/v1/echo?a=b%20c", TOKEN, null).body()).isEqualTo("{\"a\":\"b c\"}");
  }

  @Test
  void refusesARequestWithoutTokenFromItsHeadersWithoutWaitingForItsHugeBody() throws Exception {
    start(limits(2, 2));
    RawHttp c = connect();
    c.send(RawHttp.head("POST", "/v1/echo", null, 1_000_000_000_000L));
    RawHttp.Response r = c.read(ANSWER);
    assertThat(r.status()).isEqualTo(401);
    assertThat(json(r).get("code").asText()).isEqualTo("UNAUTHORIZED");
    assertThat(c.untilClosed(ANSWER)).isEmpty();
  }

  @Test
  void aRefusedClientStillReadsItsAnswerWhileItKeepsSendingItsBody() {
    start(limits(2, 2));
    RawHttp c = connect();
    byte[] body = new byte[48 * 1024];
    c.send(RawHttp.head("POST", "/v1/echo", "wrong", body.length));
    c.send(body);
    assertThat(c.read(ANSWER).status()).isEqualTo(401);
  }

  @Test
  void answers413BeforeReadingABodyLargerThanMaxBody() throws Exception {
    start(limits(2, 2));
    RawHttp c = connect();
    c.send(RawHttp.head("POST", "/v1/echo", TOKEN, 5_000_000_000L));
    RawHttp.Response r = c.read(ANSWER);
    assertThat(r.status()).isEqualTo(413);
    assertThat(json(r).get("code").asText()).isEqualTo("USAGE");
    assertThat(json(r).get("error").asText()).contains("larger than 1024 bytes (maxBody)");
    assertThat(c.untilClosed(ANSWER)).isEmpty();

    RawHttp chunked = connect();
    chunked.send(RawHttp.head("POST", "/v1/echo", TOKEN, -1, "Transfer-Encoding: chunked"));
    String chunk = "400\r\n" + "x".repeat(1024) + "\r\n";
    chunked.send(chunk).send(chunk);
    assertThat(chunked.read(ANSWER).status()).isEqualTo(413);

    assertThat(call("POST", "/v1/echo", TOKEN, "y".repeat(1024)).body()).isEqualTo("got 1024");
  }

  @Test
  void answers431ToHeadersLargerThanMaxHeaderSize() {
    start(limits(2, 2));
    RawHttp c = connect();
    c.send(RawHttp.head("GET", "/health", null, -1, "X-Pad: " + "p".repeat(2000)));
    assertThat(c.read(ANSWER).status()).isEqualTo(431);
    assertThat(c.untilClosed(ANSWER)).isEmpty();
  }

  @Test
  void cutsHeadersTrickledByteByByteAtTheHeaderTimeout() throws Exception {
    start(limits(2, 2));
    RawHttp c = connect();
    byte[] head =
        RawHttp.head("GET", "/v1/echo", TOKEN, -1, "X-Pad: " + "p".repeat(200))
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
                  Thread.sleep(50);
                } catch (InterruptedException e) {
                  return;
                }
              }
            });
    trickle.start();
    try {
      String answer = c.untilClosed(Duration.ofSeconds(10));
      assertThat(answer).startsWith("HTTP/1.1 408").contains("\"code\":\"TIMEOUT\"");
      assertThat(answer).contains("did not arrive within 1.0s (headerTimeout)");
      assertThat(sent.get()).isLessThan(head.length);
    } finally {
      trickle.interrupt();
      trickle.join(5000);
    }
    assertThat(call("GET", "/health", null, null).status()).isEqualTo(200);
  }

  @Test
  void closesAnIdleConnectionAtTheHeaderTimeoutWithoutAnAnswer() {
    start(limits(2, 2));
    RawHttp c = connect();
    assertThat(c.untilClosed(Duration.ofSeconds(10))).isEmpty();
    Waits.until(
        "the closed connection to leave the counts", ANSWER, () -> server.openConnections() == 0);
  }

  @Test
  void cutsAnAuthenticatedBodyThatDoesNotArriveWithinTheBodyTimeout() throws Exception {
    start(limits(2, 2));
    RawHttp c = connect();
    c.send(RawHttp.head("POST", "/v1/echo", TOKEN, 100)).send("only a part");
    RawHttp.Response r = c.read(Duration.ofSeconds(10));
    assertThat(r.status()).isEqualTo(408);
    assertThat(json(r).get("error").asText())
        .contains("body did not arrive within 1.0s (bodyTimeout)");
  }

  @Test
  void closesConnectionsOverThePerAddressCapAtOnceAndServesOtherAddresses() {
    start(limits(2, 2));
    for (int i = 0; i < 3; i++) {
      RawHttp h = connectFrom("127.0.0.3");
      h.send(RawHttp.head("GET", "/health", null, -1));
      assertThat(h.read(ANSWER).status()).isEqualTo(200);
    }
    assertThat(server.unauthenticatedConnections()).isEqualTo(3);
    RawHttp over = connectFrom("127.0.0.3");
    assertThat(over.untilClosed(ANSWER)).isEmpty();
    assertThat(server.refusedConnections()).isEqualTo(1);
    RawHttp other = connectFrom("127.0.0.4");
    assertThat(other.send(RawHttp.request("GET", "/health", null, null)).read(ANSWER).status())
        .isEqualTo(200);
    RawHttp authed = connectFrom("127.0.0.4");
    assertThat(authed.send(RawHttp.request("GET", "/v1/echo", TOKEN, null)).read(ANSWER).status())
        .isEqualTo(200);
  }

  @Test
  void closesConnectionsOverTheServerCapAtOnceAndServesAgainOnceTheyAreGone() {
    start(limits(2, 2));
    List<RawHttp> holds = new ArrayList<>();
    for (String from : List.of("127.0.0.3", "127.0.0.4")) {
      for (int i = 0; i < 3; i++) {
        RawHttp h = connectFrom(from);
        h.send(RawHttp.head("GET", "/health", null, -1));
        assertThat(h.read(ANSWER).status()).isEqualTo(200);
        holds.add(h);
      }
    }
    RawHttp over = connectFrom("127.0.0.5");
    assertThat(over.untilClosed(ANSWER)).isEmpty();
    holds.forEach(RawHttp::close);
    Waits.until(
        "the server to serve again", ANSWER, () -> server.unauthenticatedConnections() == 0);
    assertThat(
            connectFrom("127.0.0.5")
                .send(RawHttp.request("GET", "/health", null, null))
                .read(ANSWER)
                .status())
        .isEqualTo(200);
  }

  @Test
  void anAuthenticatedConnectionNoLongerCountsAgainstTheUnauthenticatedCaps() {
    start(limits(2, 2));
    for (int i = 0; i < 3; i++) {
      RawHttp a = connectFrom("127.0.0.3");
      a.send(RawHttp.head("GET", "/v1/echo", TOKEN, -1));
      assertThat(a.read(ANSWER).status()).isEqualTo(200);
    }
    assertThat(server.unauthenticatedConnections()).isZero();
    assertThat(server.openConnections()).isEqualTo(3);
    for (int i = 0; i < 3; i++) {
      RawHttp h = connectFrom("127.0.0.3");
      assertThat(h.send(RawHttp.head("GET", "/health", null, -1)).read(ANSWER).status())
          .isEqualTo(200);
    }
  }

  @Test
  void answersHealthWhileEveryWorkerIsBusyAndAnswers503BeyondTheQueue() throws Exception {
    start(limits(1, 1));
    RawHttp running = connect().send(RawHttp.request("GET", "/v1/block", TOKEN, null));
    Waits.until("the first request to run", ANSWER, () -> blocked.get() == 1);
    RawHttp queued = connect().send(RawHttp.request("GET", "/v1/block", TOKEN, null));
    ThreadPoolExecutor workers = (ThreadPoolExecutor) server.workers();
    Waits.until("the second request to wait", ANSWER, () -> workers.getQueue().size() == 1);

    RawHttp.Response busy = call("GET", "/v1/block", TOKEN, null);
    assertThat(busy.status()).isEqualTo(503);
    assertThat(json(busy).get("code").asText()).isEqualTo("SERVER_BUSY");
    assertThat(json(busy).get("error").asText()).contains("1 threads (threads) and 1 waiting");
    RawHttp.Response health = call("GET", "/health", null, null);
    assertThat(health.status()).isEqualTo(200);

    release.countDown();
    assertThat(running.read(ANSWER).body()).isEqualTo("released");
    assertThat(queued.read(ANSWER).body()).isEqualTo("released");
  }

  @Test
  void keepsAConnectionAliveAcrossRequestsAndAnswersPipelinedOnesInOrder() {
    start(limits(2, 2));
    RawHttp c = connect();
    c.send(RawHttp.head("GET", "/v1/echo?n=1", TOKEN, -1));
    assertThat(c.read(ANSWER).body()).isEqualTo("{\"n\":\"1\"}");
    c.send(RawHttp.head("GET", "/health", null, -1));
    assertThat(c.read(ANSWER).status()).isEqualTo(200);
    c.send(
        RawHttp.head("POST", "/v1/echo", TOKEN, 3)
            + "abc"
            + RawHttp.head("GET", "/v1/echo?n=2", TOKEN, -1)
            + RawHttp.head("GET", "/health", null, -1));
    assertThat(c.read(ANSWER).body()).isEqualTo("got 3");
    assertThat(c.read(ANSWER).body()).isEqualTo("{\"n\":\"2\"}");
    assertThat(c.read(ANSWER).status()).isEqualTo(200);
  }

  @Test
  void answersAFailureWithItsCodeAndAnUnexpectedOneWith500WithoutItsMessage() throws Exception {
    try (LogCapture logs = LogCapture.start()) {
      start(limits(2, 2));
      RawHttp.Response fail = call("GET", "/v1/fail", TOKEN, null);
      assertThat(fail.status()).isEqualTo(404);
      assertThat(json(fail).get("code").asText()).isEqualTo("NOT_FOUND");
      assertThat(json(fail).get("error").asText()).isEqualTo("no node named 'db9'");

      RawHttp.Response boom = call("GET", "/v1/boom", TOKEN, null);
      assertThat(boom.status()).isEqualTo(500);
      assertThat(json(boom).get("code").asText()).isEqualTo("INTERNAL");
      assertThat(boom.body()).doesNotContain("jdbc").doesNotContain("IllegalState");
      String incident = json(boom).get("error").asText().replaceAll(".*incident (\\w+).*", "$1");
      assertThat(logs.linesContaining(incident))
          .anyMatch(l -> l.contains("internal detail jdbc:mysql://10.0.0.1"));

      RawHttp.Response unknown = call("GET", "/v1/nothing", TOKEN, null);
      assertThat(unknown.status()).isEqualTo(404);
      assertThat(json(unknown).get("error").asText()).contains("no such API path: /v1/nothing");
      RawHttp.Response method = call("DELETE", "/v1/echo", TOKEN, null);
      assertThat(method.status()).isEqualTo(405);
      assertThat(json(method).get("code").asText()).isEqualTo("USAGE");
    }
  }

  @Test
  void neverLogsTheTokenOrTheAuthorizationHeader() {
    String wrong = "wrong-" + java.util.UUID.randomUUID();
    try (LogCapture logs = LogCapture.start()) {
      start(limits(1, 0));
      call("GET", "/v1/echo", TOKEN, null);
      call("GET", "/v1/boom", TOKEN, null);
      call("GET", "/v1/echo", wrong, null);
      call("POST", "/v1/echo", wrong, "{}");
      connect().send(RawHttp.head("GET", "/v1/echo", TOKEN, -1, "X-Pad: " + "p".repeat(2000)));
      Waits.until(
          "the refusal to be logged",
          ANSWER,
          () -> !logs.linesContaining("test API refused GET /v1/echo").isEmpty());
      server.close();
      assertThat(logs.lines())
          .isNotEmpty()
          .noneMatch(l -> l.contains(TOKEN))
          .noneMatch(l -> l.contains(wrong))
          .noneMatch(l -> l.toLowerCase(java.util.Locale.ROOT).contains("bearer "));
    }
  }

  @Test
  void saysWhichKeysToFixWhenItCannotListen() {
    start(limits(1, 0));
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () ->
                GuardedHttpServer.start(
                    new GuardedHttpServer.Settings(
                        "second API",
                        "127.0.0.1",
                        server.port(),
                        new Secret(TOKEN, "test"),
                        "hint",
                        "test.bind/test.port",
                        limits(1, 0)),
                    new HttpRouter()))
        .isInstanceOf(DbJobsException.class)
        .hasMessageContaining("cannot listen for the second API on 127.0.0.1:" + server.port())
        .hasMessageContaining("(test.bind/test.port)")
        .satisfies(
            e -> assertThat(((DbJobsException) e).code()).isEqualTo(ErrorCode.CONFIG_INVALID));
  }
}
