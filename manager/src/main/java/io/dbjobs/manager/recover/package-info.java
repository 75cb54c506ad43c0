/**
 * The recover verb: what to do about a replica ({@link RecoverPlanner}, pure: re-point it, refuse
 * and name the reseed, or reseed it when asked), and enqueueing the agent's {@code recover} job
 * ({@link Recover}). Used by the CLI, the API and the automatic policy. Internal to dbjobs; no
 * compatibility promise.
 */
package io.dbjobs.manager.recover;
