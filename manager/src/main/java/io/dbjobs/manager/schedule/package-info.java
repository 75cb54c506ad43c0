/**
 * Quartz schedules of {@code dbjobs serve}: per-cluster cron schedules from manager.yml that
 * enqueue optimize jobs, backups ({@link io.dbjobs.manager.schedule.ScheduledBackups}) and log
 * collection ({@link io.dbjobs.manager.schedule.ScheduledLogs}) on a chosen node, keyed so a run is
 * never enqueued twice. {@code ScheduledBackups}, {@code ScheduledLogs} and {@code ScheduledRun}
 * are the contract for the catalog and log collector; the rest has no compatibility promise.
 */
package io.dbjobs.manager.schedule;
