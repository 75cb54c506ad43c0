package io.dbjobs.manager.config;

import io.dbjobs.common.config.Secret;
import io.dbjobs.common.http.HttpLimits;

/**
 * The manager's HTTP API ({@code api:} in manager.yml): where {@code dbjobs serve} listens, and
 * where the CLI finds a running daemon.
 *
 * @param url {@code api.url}, no default: when set, CLI commands talk to the daemon at this URL
 *     (e.g. {@code http://127.0.0.1:4446}) instead of working directly against the nodes; {@code
 *     --direct} overrides it
 * @param bind {@code api.bind}, default {@code 127.0.0.1}: the address {@code dbjobs serve} listens
 *     on; {@code 0.0.0.0} for every interface
 * @param port {@code api.port}, default {@code 4446}
 * @param token {@code api.token}, by reference ({@code {file: /etc/dbjobs/api.token}} or {@code
 *     {env: NAME}}): required by {@code dbjobs serve} and by CLI commands going through {@code
 *     api.url}; every call but {@code GET /health} needs {@code Authorization: Bearer <token>}
 * @param limits {@code api.headerTimeout}, {@code api.bodyTimeout}, {@code api.maxHeaderSize},
 *     {@code api.maxBody}, {@code api.maxConnections}, {@code api.maxUnauthenticated}, {@code
 *     api.maxUnauthenticatedPerAddress}, {@code api.threads}, {@code api.queue}: see {@link
 *     HttpLimits} for each; defaults {@link #DEFAULT_LIMITS} (a 256 KiB body, 8 threads, 32
 *     waiting)
 */
public record ApiConfig(String url, String bind, int port, Secret token, HttpLimits limits) {
  public static final int DEFAULT_PORT = 4446;

  /** The API's limits when manager.yml sets none: a 256 KiB body, 8 threads, 32 waiting. */
  public static final HttpLimits DEFAULT_LIMITS = HttpLimits.defaults(256 * 1024, 8, 32);

  /** The API's settings with the default limits. */
  public ApiConfig(String url, String bind, int port, Secret token) {
    this(url, bind, port, token, DEFAULT_LIMITS);
  }

  /** No API settings: direct mode for the CLI, no token for a daemon. */
  public static ApiConfig defaults() {
    return new ApiConfig(null, "127.0.0.1", DEFAULT_PORT, null);
  }
}
