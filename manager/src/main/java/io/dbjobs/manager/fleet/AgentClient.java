package io.dbjobs.manager.fleet;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.agentapi.AgentApi;
import io.dbjobs.common.config.Secret;
import io.dbjobs.manager.config.NodeConfig;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;

/** Calls a node's agent over its HTTP endpoint ({@link AgentApi}). */
public final class AgentClient {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient http;
  private final Duration timeout;

  public AgentClient(Duration timeout) {
    this.timeout = timeout;
    this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
  }

  public AgentApi.JobStatus submit(NodeConfig node, Secret token, AgentApi.SubmitBody body) {
    HttpResponse<String> r =
        send(
            node,
            token,
            HttpRequest.newBuilder(uri(node, AgentApi.JOBS))
                .POST(HttpRequest.BodyPublishers.ofString(write(body)))
                .header("Content-Type", "application/json"));
    if (r.statusCode() != 201 && r.statusCode() != 202) {
      throw refused(node, r);
    }
    return read(r.body(), AgentApi.JobStatus.class);
  }

  public Optional<AgentApi.JobStatus> byKey(NodeConfig node, Secret token, String key) {
    HttpResponse<String> r =
        send(
            node,
            token,
            HttpRequest.newBuilder(
                    uri(
                        node,
                        AgentApi.JOBS_BY_KEY + URLEncoder.encode(key, StandardCharsets.UTF_8)))
                .GET());
    if (r.statusCode() == 404) {
      return Optional.empty();
    }
    if (r.statusCode() != 200) {
      throw refused(node, r);
    }
    return Optional.of(read(r.body(), AgentApi.JobStatus.class));
  }

  /** What the node's agent measured ({@code GET /v1/facts}). */
  public AgentApi.Facts facts(NodeConfig node, Secret token) {
    HttpResponse<String> r =
        send(node, token, HttpRequest.newBuilder(uri(node, AgentApi.FACTS)).GET());
    if (r.statusCode() != 200) {
      throw refused(node, r);
    }
    return read(r.body(), AgentApi.Facts.class);
  }

  /**
   * Asks the node's agent to read its jobs table now ({@code POST /v1/wake}).
   *
   * @throws DbJobsException AGENT_UNREACHABLE or the agent's refusal
   */
  public void wake(NodeConfig node, Secret token) {
    HttpResponse<String> r =
        send(
            node,
            token,
            HttpRequest.newBuilder(uri(node, AgentApi.WAKE))
                .POST(HttpRequest.BodyPublishers.noBody()));
    if (r.statusCode() != 202) {
      throw refused(node, r);
    }
  }

  public AgentApi.Health health(NodeConfig node) {
    HttpResponse<String> r =
        send(node, null, HttpRequest.newBuilder(uri(node, AgentApi.HEALTH)).GET());
    if (r.statusCode() != 200) {
      throw refused(node, r);
    }
    return read(r.body(), AgentApi.Health.class);
  }

  private HttpResponse<String> send(NodeConfig node, Secret token, HttpRequest.Builder b) {
    b.timeout(timeout);
    if (token != null) {
      b.header("Authorization", "Bearer " + token.reveal());
    }
    try {
      return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new DbJobsException(
          ErrorCode.AGENT_UNREACHABLE,
          "the agent of "
              + node.name()
              + " at "
              + node.database().host()
              + ":"
              + node.agentPort()
              + " does not answer: "
              + DbJobsException.describe(e),
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DbJobsException(
          ErrorCode.INTERNAL, "interrupted calling the agent of " + node.name(), e);
    }
  }

  private static URI uri(NodeConfig node, String path) {
    String host = node.database().host();
    if (host.contains(":") && !host.startsWith("[")) {
      host = "[" + host + "]";
    }
    return URI.create("http://" + host + ":" + node.agentPort() + path);
  }

  private static DbJobsException refused(NodeConfig node, HttpResponse<String> r) {
    String why;
    try {
      why = JSON.readValue(r.body(), AgentApi.Error.class).error();
    } catch (IOException e) {
      why = r.body();
    }
    ErrorCode code =
        switch (r.statusCode()) {
          case 401 -> ErrorCode.PERMISSION_DENIED;
          case 400 -> ErrorCode.BAD_PARAMETER;
          case 409 -> ErrorCode.IDEMPOTENCY_CONFLICT;
          case 503 -> ErrorCode.NODE_UNREACHABLE;
          default -> ErrorCode.AGENT_UNREACHABLE;
        };
    return new DbJobsException(
        code, "the agent of " + node.name() + " answered " + r.statusCode() + ": " + why);
  }

  private static String write(Object o) {
    try {
      return JSON.writeValueAsString(o);
    } catch (IOException e) {
      throw new DbJobsException(ErrorCode.INTERNAL, "cannot encode a request to an agent", e);
    }
  }

  private static <T> T read(String body, Class<T> type) {
    try {
      return JSON.readValue(body, type);
    } catch (IOException e) {
      throw new DbJobsException(
          ErrorCode.AGENT_UNREACHABLE,
          "an agent answered something that is not " + type.getSimpleName() + ": " + body,
          e);
    }
  }
}
