package io.dbjobs.manager.api;

/**
 * A group of API routes, e.g. {@code /v1/backups} or {@code /v1/reseed}: implement it and hand it
 * to the daemon ({@code DaemonIntegrations}); {@link ApiServer} authenticates every route added
 * here, maps {@link io.dbjobs.common.DbJobsException}s to statuses and writes JSON.
 */
@FunctionalInterface
public interface ApiEndpoints {
  void register(ApiRouter router);
}
