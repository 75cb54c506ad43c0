package io.dbjobs.manager.config;

import io.dbjobs.common.config.Secret;

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
 */
public record ApiConfig(String url, String bind, int port, Secret token) {
  public static final int DEFAULT_PORT = 4446;

  /** No API settings: direct mode for the CLI, no token for a daemon. */
  public static ApiConfig defaults() {
    return new ApiConfig(null, "127.0.0.1", DEFAULT_PORT, null);
  }
}
