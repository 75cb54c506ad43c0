/**
 * The daemon's Prometheus metrics. The names in {@link io.dbjobs.manager.metrics.MetricNames} are
 * public (dashboards depend on them); {@link io.dbjobs.manager.metrics.BackupMetrics} is where
 * streams and backups report.
 */
package io.dbjobs.manager.metrics;
