package io.dbjobs.agent.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.dbjobs.agent.AgentConfig;
import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.agentapi.AgentApi;
import io.dbjobs.common.config.Secret;
import io.dbjobs.common.http.GuardedHttpServer;
import io.dbjobs.common.http.HttpErrors;
import io.dbjobs.common.http.HttpLimits;
import io.dbjobs.common.http.HttpReply;
import io.dbjobs.common.http.HttpRouter;
import java.util.Optional;

/**
 * The agent's small HTTP endpoint ({@link AgentApi}) on the shared {@link GuardedHttpServer}:
 * health without a token, answered apart from every other request; metrics and job submission with
 * the cluster's agent token, checked before the body is read. It is how a {@code start} reaches a
 * node whose database is down. Errors are {@link AgentApi.Error} documents with the status of their
 * code ({@link HttpErrors}).
 */
public final class AgentHttp implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** What the endpoint serves, provided by the agent. */
  public interface Backend {
    /** Must only read memory: it is answered on the network threads. */
    AgentApi.Health health();

    String metrics();

    /** Enqueues or runs a submitted job; returns its status. */
    AgentApi.JobStatus submit(AgentApi.SubmitBody body);

    Optional<AgentApi.JobStatus> byKey(String key);

    /** Measures the node (reads its datadir): runs on a worker. */
    AgentApi.Facts facts();

    /** Makes the job loop read the jobs table now; only memory, answered at once. */
    void wake();
  }

  private final GuardedHttpServer server;

  private AgentHttp(GuardedHttpServer server) {
    this.server = server;
  }

  /** Listens with the default limits ({@link AgentConfig.Http#DEFAULT_LIMITS}). */
  public static AgentHttp start(String bind, int port, Secret token, Backend backend) {
    return start(bind, port, token, AgentConfig.Http.DEFAULT_LIMITS, backend);
  }

  /**
   * Listens on {@code bind:port}.
   *
   * @throws DbJobsException CONFIG_INVALID when the token is missing or the address cannot be bound
   */
  public static AgentHttp start(
      String bind, int port, Secret token, HttpLimits limits, Backend backend) {
    if (token == null) {
      throw new DbJobsException(
          ErrorCode.CONFIG_INVALID,
          "http.token: is required while http.port is not 0: the cluster's agentToken in"
              + " manager.yml, as {file: /etc/dbjobs/agent.token}");
    }
    HttpRouter routes =
        new HttpRouter()
            .open("GET", AgentApi.HEALTH, call -> HttpReply.json(200, backend.health(), JSON))
            .get(
                AgentApi.METRICS,
                call ->
                    HttpReply.text(
                        200, "text/plain; version=0.0.4; charset=utf-8", backend.metrics()))
            .get(AgentApi.FACTS, call -> HttpReply.json(200, backend.facts(), JSON))
            .get(
                AgentApi.JOBS_BY_KEY + "{key}",
                call -> {
                  String key = call.param("key");
                  Optional<AgentApi.JobStatus> s = backend.byKey(key);
                  if (s.isEmpty()) {
                    return HttpErrors.error(
                        404,
                        ErrorCode.NOT_FOUND,
                        "no job with key '" + key + "' was submitted through this agent");
                  }
                  return HttpReply.json(200, s.get(), JSON);
                })
            .post(
                AgentApi.WAKE,
                call -> {
                  backend.wake();
                  return HttpReply.json(202, java.util.Map.of("woken", true), JSON);
                })
            .post(
                AgentApi.JOBS,
                call -> {
                  AgentApi.SubmitBody body = call.json(JSON, AgentApi.SubmitBody.class);
                  if (body == null) {
                    throw new DbJobsException(
                        ErrorCode.USAGE, "POST a job: {\"task\": ..., \"idempotencyKey\": ...}");
                  }
                  AgentApi.JobStatus s = backend.submit(body);
                  return HttpReply.json(s.id() > 0 ? 201 : 202, s, JSON);
                });
    return new AgentHttp(
        GuardedHttpServer.start(
            new GuardedHttpServer.Settings(
                "agent HTTP",
                bind,
                port,
                token,
                "the agent's http.token: the cluster's agentToken in manager.yml",
                "http.bind/http.port",
                limits),
            routes));
  }

  public int port() {
    return server.port();
  }

  @Override
  public void close() {
    server.close();
  }
}
