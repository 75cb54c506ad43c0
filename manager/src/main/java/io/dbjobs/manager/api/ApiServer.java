package io.dbjobs.manager.api;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.config.Secret;
import io.dbjobs.common.http.GuardedHttpServer;
import io.dbjobs.common.http.HttpLimits;
import java.util.List;
import java.util.function.Supplier;

/**
 * The manager daemon's HTTP endpoint ({@link ManagerApi}) on the shared {@link GuardedHttpServer}:
 * {@code GET /health} for anyone, answered apart from every other request; every other route only
 * with {@code Authorization: Bearer <api.token>}, checked before the body is read. A {@link
 * DbJobsException} becomes an {@link ManagerApi.ErrorDoc} with a status chosen from its code
 * ({@link io.dbjobs.common.http.HttpErrors}).
 */
public final class ApiServer implements AutoCloseable {
  private final GuardedHttpServer server;

  private ApiServer(GuardedHttpServer server) {
    this.server = server;
  }

  /**
   * Listens on {@code bind:port} with the default limits ({@link
   * io.dbjobs.manager.config.ApiConfig#DEFAULT_LIMITS}).
   *
   * @see #start(String, int, Secret, HttpLimits, Supplier, Supplier, List)
   */
  public static ApiServer start(
      String bind,
      int port,
      Secret token,
      Supplier<ManagerApi.HealthDoc> health,
      Supplier<String> metrics,
      List<ApiEndpoints> endpoints) {
    return start(
        bind,
        port,
        token,
        io.dbjobs.manager.config.ApiConfig.DEFAULT_LIMITS,
        health,
        metrics,
        endpoints);
  }

  /**
   * Listens on {@code bind:port} and serves {@code /health}, {@code /metrics} and every route of
   * {@code endpoints}.
   *
   * @param health must only read memory: it is answered on the network threads
   * @throws DbJobsException CONFIG_INVALID when the token is missing or the address cannot be bound
   */
  public static ApiServer start(
      String bind,
      int port,
      Secret token,
      HttpLimits limits,
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
    return new ApiServer(
        GuardedHttpServer.start(
            new GuardedHttpServer.Settings(
                "API", bind, port, token, "the daemon's api.token", "api.bind/api.port", limits),
            router.routes()));
  }

  public int port() {
    return server.port();
  }

  /** Stops accepting requests; requests in progress get up to two seconds to finish. */
  @Override
  public void close() {
    server.close();
  }
}
