/**
 * The manager daemon's HTTP API: the contract ({@link io.dbjobs.manager.api.ManagerApi}), the
 * server with its routes ({@link io.dbjobs.manager.api.ApiServer}, {@link
 * io.dbjobs.manager.api.ApiEndpoints}) and the client the CLI uses ({@link
 * io.dbjobs.manager.api.ApiFleet}). The paths and documents of {@code ManagerApi} are public API;
 * the rest has no compatibility promise.
 */
package io.dbjobs.manager.api;
