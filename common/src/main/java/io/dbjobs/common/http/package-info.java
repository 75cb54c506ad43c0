/**
 * The HTTP server both dbjobs endpoints run on (the daemon's API and each agent's endpoint): {@link
 * io.dbjobs.common.http.GuardedHttpServer} with its routes ({@link
 * io.dbjobs.common.http.HttpRouter}), limits ({@link io.dbjobs.common.http.HttpLimits}) and the one
 * mapping from failures to answers ({@link io.dbjobs.common.http.HttpErrors}). Internal to dbjobs:
 * no compatibility promise.
 */
package io.dbjobs.common.http;
