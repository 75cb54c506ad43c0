package io.dbjobs.manager.api;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.config.Secret;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The manager daemon's HTTP endpoint ({@link ManagerApi}), on the JDK's HTTP server: {@code GET
 * /health} for anyone, every other route only with {@code Authorization: Bearer <api.token>}
 * (compared in constant time; a refusal is logged without the token). A {@link DbJobsException}
 * becomes an {@link ManagerApi.ErrorDoc} with a status chosen from its code.
 */
public final class ApiServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ApiServer.class);
  private static final int MAX_BODY = 256 * 1024;
  private static final int THREADS = 8;

  private final HttpServer server;
  private final ExecutorService executor;
  private final ApiRouter router;
  private final Secret token;

  private ApiServer(HttpServer server, ExecutorService executor, ApiRouter router, Secret token) {
    this.server = server;
    this.executor = executor;
    this.router = router;
    this.token = token;
  }

  /**
   * Listens on {@code bind:port} and serves {@code /health}, {@code /metrics} and every route of
   * {@code endpoints}.
   *
   * @throws DbJobsException CONFIG_INVALID when the address cannot be bound
   */
  public static ApiServer start(
      String bind,
      int port,
      Secret token,
      Supplier<ManagerApi.HealthDoc> health,
      Supplier<String> metrics,
      List<ApiEndpoints> endpoints) {
    if (token == null) {
      throw new DbJobsException(
          ErrorCode.CONFIG_INVALID,
          "api.token: is required for dbjobs serve (every API call but /health needs it): give it"
              + " as {file: /etc/dbjobs/api.token} or {env: DBJOBS_API_TOKEN}");
    }
    ApiRouter router = new ApiRouter();
    router.openGet(ManagerApi.HEALTH, r -> ApiResponse.ok(health.get()));
    router.get(
        ManagerApi.METRICS,
        r -> ApiResponse.text("text/plain; version=0.0.4; charset=utf-8", metrics.get()));
    endpoints.forEach(e -> e.register(router));
    HttpServer server;
    try {
      server = HttpServer.create(new InetSocketAddress(bind, port), 64);
    } catch (IOException e) {
      throw new DbJobsException(
          ErrorCode.CONFIG_INVALID,
          "dbjobs serve cannot listen for its API on "
              + bind
              + ":"
              + port
              + " (api.bind/api.port): "
              + e.getMessage(),
          e);
    }
    AtomicInteger n = new AtomicInteger();
    ExecutorService ex =
        Executors.newFixedThreadPool(
            THREADS,
            r -> {
              Thread t = new Thread(r, "api-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    server.setExecutor(ex);
    ApiServer api = new ApiServer(server, ex, router, token);
    server.createContext("/", api::handle);
    server.start();
    LOG.info("API listening on {}:{}", bind, server.getAddress().getPort());
    return api;
  }

  public int port() {
    return server.getAddress().getPort();
  }

  private void handle(HttpExchange x) {
    // not try-with-resources: the exchange must stay open for the catch blocks to answer
    try {
      // read (bounded) before anything else: an unread body would spoil the kept-alive connection
      byte[] body = read(x);
      String method = x.getRequestMethod();
      String rawPath = x.getRequestURI().getRawPath();
      boolean[] otherMethod = {false};
      ApiRouter.Match m = router.match(method, rawPath, otherMethod);
      if (m == null && !authorized(x)) {
        refuse(x, method);
        return;
      }
      if (m == null) {
        int status = otherMethod[0] ? 405 : 404;
        json(
            x,
            status,
            new ManagerApi.ErrorDoc(
                (otherMethod[0] ? method + " is not allowed on " : "no such API path: ") + rawPath,
                otherMethod[0] ? ErrorCode.USAGE.name() : ErrorCode.NOT_FOUND.name()));
        return;
      }
      if (!m.route().open() && !authorized(x)) {
        refuse(x, method);
        return;
      }
      ApiRequest req =
          new ApiRequest(method, rawPath, m.params(), query(x.getRequestURI().getRawQuery()), body);
      ApiResponse r = m.route().handler().handle(req);
      if (r.contentType() != null) {
        send(x, r.status(), r.contentType(), String.valueOf(r.body()));
      } else {
        json(x, r.status(), r.body());
      }
    } catch (DbJobsException e) {
      int status = status(e.code());
      if (status >= 500) {
        LOG.warn("API {} {} failed: {}", x.getRequestMethod(), x.getRequestURI(), e.getMessage());
      } else {
        LOG.debug("API {} {}: {}", x.getRequestMethod(), x.getRequestURI(), e.getMessage());
      }
      respondQuietly(x, status, new ManagerApi.ErrorDoc(e.getMessage(), e.code().name()));
    } catch (IOException | RuntimeException e) {
      LOG.warn(
          "API {} {} failed: {}",
          x.getRequestMethod(),
          x.getRequestURI(),
          DbJobsException.describe(e),
          e);
      respondQuietly(
          x,
          500,
          new ManagerApi.ErrorDoc(
              "internal error: " + DbJobsException.describe(e), ErrorCode.INTERNAL.name()));
    } finally {
      x.close();
    }
  }

  /** The status a failure with this code answers with. */
  static int status(ErrorCode code) {
    return switch (code) {
      case NOT_FOUND -> 404;
      case USAGE, BAD_PARAMETER, UNKNOWN_TASK -> 400;
      case IDEMPOTENCY_CONFLICT, SCHEMA_CONFLICT, PREFLIGHT_REFUSED -> 409;
      case NODE_UNREACHABLE, AGENT_UNREACHABLE, DATABASE_ERROR, PERMISSION_DENIED -> 502;
      case TIMEOUT -> 504;
      default -> 500;
    };
  }

  private void refuse(HttpExchange x, String method) throws IOException {
    x.getResponseHeaders().add("WWW-Authenticate", "Bearer");
    String h = x.getRequestHeaders().getFirst("Authorization");
    json(
        x,
        401,
        new ManagerApi.ErrorDoc(
            h == null
                ? "missing Authorization: Bearer <token> (the daemon's api.token)"
                : "wrong API token (the daemon's api.token)",
            "UNAUTHORIZED"));
    LOG.warn(
        "API refused {} {} from {}: {} token",
        method,
        x.getRequestURI().getPath(),
        x.getRemoteAddress(),
        h == null ? "no" : "wrong");
  }

  private boolean authorized(HttpExchange x) {
    String h = x.getRequestHeaders().getFirst("Authorization");
    if (h == null || !h.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return false;
    }
    byte[] given = h.substring(7).trim().getBytes(StandardCharsets.UTF_8);
    return MessageDigest.isEqual(given, token.reveal().getBytes(StandardCharsets.UTF_8));
  }

  private static Map<String, String> query(String raw) {
    Map<String, String> q = new HashMap<>();
    if (raw == null || raw.isEmpty()) {
      return q;
    }
    for (String pair : raw.split("&")) {
      int eq = pair.indexOf('=');
      String k = eq < 0 ? pair : pair.substring(0, eq);
      String v = eq < 0 ? "" : pair.substring(eq + 1);
      q.put(
          URLDecoder.decode(k, StandardCharsets.UTF_8),
          URLDecoder.decode(v, StandardCharsets.UTF_8));
    }
    return q;
  }

  private static byte[] read(HttpExchange x) throws IOException {
    try (InputStream in = x.getRequestBody()) {
      byte[] b = in.readNBytes(MAX_BODY + 1);
      if (b.length > MAX_BODY) {
        throw new DbJobsException(
            ErrorCode.USAGE, "request body larger than " + MAX_BODY + " bytes");
      }
      return b;
    }
  }

  private static void respondQuietly(HttpExchange x, int status, Object body) {
    try {
      json(x, status, body);
    } catch (IOException | RuntimeException e) {
      LOG.debug("could not answer {}: {}", x.getRequestURI(), e.toString());
    }
  }

  private static void json(HttpExchange x, int status, Object body) throws IOException {
    send(x, status, "application/json", ApiJson.MAPPER.writeValueAsString(body));
  }

  private static void send(HttpExchange x, int status, String type, String body)
      throws IOException {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    x.getResponseHeaders().set("Content-Type", type);
    x.sendResponseHeaders(status, b.length == 0 ? -1 : b.length);
    if (b.length > 0) {
      try (OutputStream out = x.getResponseBody()) {
        out.write(b);
      }
    }
  }

  /** Stops accepting requests; requests in progress get up to a second to finish. */
  @Override
  public void close() {
    server.stop(1);
    executor.shutdown();
    try {
      if (!executor.awaitTermination(2, TimeUnit.SECONDS)) {
        executor.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      executor.shutdownNow();
    }
    LOG.info("API stopped");
  }
}
