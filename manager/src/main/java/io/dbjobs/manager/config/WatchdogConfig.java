package io.dbjobs.manager.config;

import java.time.Duration;

/**
 * The daemon's watchdog ({@code watchdog:} in manager.yml).
 *
 * @param interval {@code watchdog.interval}, default {@code 5s}, at least {@code 100ms}: how often
 *     every node is swept: jobs whose agent stopped renewing its lease are failed as "agent lost"
 *     (so within the agents' {@code jobs.lease} plus this interval, even when that node's agent
 *     never comes back), job state changes are logged, metrics are refreshed and each agent's
 *     {@code /health} is polled (in clusters with an {@code agentToken}), every node's replication
 *     health is read and the automatic policy acts
 * @param recoverBackoff {@code watchdog.recoverBackoff}, default {@code 1m}: with the automatic
 *     policy, how long the watchdog waits before it acts again on a node it acted on and that is
 *     still not healthy; doubled each time, up to {@code watchdog.recoverBackoffMax} (default
 *     {@code 1h}), and forgotten once the node is healthy
 */
public record WatchdogConfig(
    Duration interval, Duration recoverBackoff, Duration recoverBackoffMax) {
  public WatchdogConfig(Duration interval) {
    this(interval, Duration.ofMinutes(1), Duration.ofHours(1));
  }

  public static WatchdogConfig defaults() {
    return new WatchdogConfig(Duration.ofSeconds(5));
  }
}
