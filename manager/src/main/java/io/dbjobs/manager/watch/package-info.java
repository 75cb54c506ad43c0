/**
 * The daemon's watchdog: sweeps every node for jobs whose agent was lost, logs job state changes
 * and feeds the job, node and agent gauges. No compatibility promise.
 */
package io.dbjobs.manager.watch;
