/**
 * Replication health of a whole cluster: who the primary is, each node's diagnosis ({@link
 * ClusterDiagnosis}, pure), read from the nodes ({@link HealthReader}), watched by the daemon
 * ({@link HealthMonitor}) and exported as metrics ({@link HealthMetrics}). Internal to dbjobs; no
 * compatibility promise.
 */
package io.dbjobs.manager.health;
