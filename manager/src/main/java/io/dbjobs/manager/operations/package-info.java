/**
 * The operator verbs beside jobs: replication health, shun and welcome, run-time policies, and
 * recover over HTTP. {@link Operations} is what the CLI uses, directly ({@link DirectOperations})
 * or through a running daemon ({@link ApiOperations}); {@link OperationsEndpoints} are the daemon's
 * routes ({@link OperationsApi}). Internal to dbjobs; no compatibility promise.
 */
package io.dbjobs.manager.operations;
