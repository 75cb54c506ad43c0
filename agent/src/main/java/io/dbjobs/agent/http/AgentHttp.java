package io.dbjobs.agent.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.agentapi.AgentApi;
import io.dbjobs.common.config.Secret;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's small HTTP endpoint ({@link AgentApi}): health without a token; metrics and job
 * submission with the cluster's agent token. It is how a {@code start} reaches a node whose
 * database is down.
 */
public final class AgentHttp implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(AgentHttp.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_BODY = 64 * 1024;

  /** What the endpoint serves, provided by the agent. */
  public interface Backend {
    AgentApi.Health health();

    String metrics();

    /** Enqueues or runs a submitted job; returns its status. */
    AgentApi.JobStatus submit(AgentApi.SubmitBody body);

    Optional<AgentApi.JobStatus> byKey(String key);
  }

  private final HttpServer server;
  private final ExecutorService executor;

  private AgentHttp(HttpServer server, ExecutorService executor) {
    this.server = server;
    this.executor = executor;
  }

  public static AgentHttp start(String bind, int port, Secret token, Backend backend) {
    HttpServer server;
    try {
      server = HttpServer.create(new InetSocketAddress(bind, port), 32);
    } catch (IOException e) {
      throw new DbJobsException(
          ErrorCode.CONFIG_INVALID,
          "the agent cannot listen for HTTP on "
              + bind
              + ":"
              + port
              + " (http.bind/http.port): "
              + e.getMessage(),
          e);
    }
    ExecutorService ex =
        Executors.newFixedThreadPool(
            2,
            r -> {
              Thread t = new Thread(r, "agent-http");
              t.setDaemon(true);
              return t;
            });
    server.setExecutor(ex);
    server.createContext(
        AgentApi.HEALTH, x -> handle(x, null, () -> json(x, 200, backend.health())));
    server.createContext(
        AgentApi.METRICS,
        x ->
            handle(
                x,
                token,
                () -> send(x, 200, "text/plain; version=0.0.4; charset=utf-8", backend.metrics())));
    server.createContext(
        AgentApi.JOBS_BY_KEY,
        x ->
            handle(
                x,
                token,
                () -> {
                  String key =
                      URLDecoder.decode(
                          x.getRequestURI().getRawPath().substring(AgentApi.JOBS_BY_KEY.length()),
                          StandardCharsets.UTF_8);
                  Optional<AgentApi.JobStatus> s = backend.byKey(key);
                  if (s.isPresent()) {
                    json(x, 200, s.get());
                  } else {
                    json(
                        x,
                        404,
                        new AgentApi.Error(
                            "no job with key '" + key + "' was submitted through this agent"));
                  }
                }));
    server.createContext(
        AgentApi.JOBS,
        x ->
            handle(
                x,
                token,
                () -> {
                  if (!"POST".equals(x.getRequestMethod())) {
                    json(x, 405, new AgentApi.Error("POST a job to " + AgentApi.JOBS));
                    return;
                  }
                  AgentApi.SubmitBody body =
                      JSON.readValue(read(x.getRequestBody()), AgentApi.SubmitBody.class);
                  AgentApi.JobStatus s = backend.submit(body);
                  json(x, s.id() > 0 ? 201 : 202, s);
                }));
    server.start();
    LOG.info("agent HTTP endpoint on {}:{}", bind, server.getAddress().getPort());
    return new AgentHttp(server, ex);
  }

  public int port() {
    return server.getAddress().getPort();
  }

  /** A request handler body that may fail. */
  @FunctionalInterface
  private interface Body {
    void run() throws IOException;
  }

  private static void handle(HttpExchange x, Secret token, Body body) {
    // not try-with-resources: it would close the exchange before a catch block could answer
    try {
      if (token != null && !authorized(x, token)) {
        x.getResponseHeaders().add("WWW-Authenticate", "Bearer");
        json(
            x, 401, new AgentApi.Error("missing or wrong bearer token (the cluster's agentToken)"));
        LOG.warn(
            "refused {} {} from {}: bad token",
            x.getRequestMethod(),
            x.getRequestURI().getPath(),
            x.getRemoteAddress());
        return;
      }
      body.run();
    } catch (DbJobsException e) {
      int status =
          switch (e.code()) {
            case NODE_UNREACHABLE, DATABASE_ERROR -> 503;
            case BAD_PARAMETER, UNKNOWN_TASK, USAGE -> 400;
            case IDEMPOTENCY_CONFLICT -> 409;
            default -> 500;
          };
      respondQuietly(x, status, e.code() + ": " + e.getMessage());
    } catch (IOException | RuntimeException e) {
      LOG.warn(
          "HTTP {} {} failed: {}",
          x.getRequestMethod(),
          x.getRequestURI().getPath(),
          DbJobsException.describe(e));
      respondQuietly(x, 400, "bad request: " + e.getMessage());
    } finally {
      x.close();
    }
  }

  private static void respondQuietly(HttpExchange x, int status, String message) {
    try {
      json(x, status, new AgentApi.Error(message));
    } catch (IOException e) {
      LOG.debug("could not answer {}: {}", x.getRequestURI(), e.toString());
    }
  }

  private static boolean authorized(HttpExchange x, Secret token) {
    String h = x.getRequestHeaders().getFirst("Authorization");
    if (h == null || !h.startsWith("Bearer ")) {
      return false;
    }
    byte[] given = h.substring(7).trim().getBytes(StandardCharsets.UTF_8);
    return MessageDigest.isEqual(given, token.reveal().getBytes(StandardCharsets.UTF_8));
  }

  private static byte[] read(InputStream in) throws IOException {
    byte[] b = in.readNBytes(MAX_BODY + 1);
    if (b.length > MAX_BODY) {
      throw new IOException("request body larger than " + MAX_BODY + " bytes");
    }
    return b;
  }

  private static void json(HttpExchange x, int status, Object body) throws IOException {
    send(x, status, "application/json", JSON.writeValueAsString(body));
  }

  private static void send(HttpExchange x, int status, String type, String body)
      throws IOException {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    x.getResponseHeaders().set("Content-Type", type);
    x.sendResponseHeaders(status, b.length);
    try (OutputStream out = x.getResponseBody()) {
      out.write(b);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
