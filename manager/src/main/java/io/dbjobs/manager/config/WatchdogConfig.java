package io.dbjobs.manager.config;

import java.time.Duration;

/**
 * The daemon's watchdog ({@code watchdog:} in manager.yml).
 *
 * @param interval {@code watchdog.interval}, default {@code 5s}, at least {@code 100ms}: how often
 *     every node is swept: jobs whose agent stopped renewing its lease are failed as "agent lost"
 *     (so within the agents' {@code jobs.lease} plus this interval, even when that node's agent
 *     never comes back), job state changes are logged, metrics are refreshed and each agent's
 *     {@code /health} is polled (in clusters with an {@code agentToken})
 */
public record WatchdogConfig(Duration interval) {
  public static WatchdogConfig defaults() {
    return new WatchdogConfig(Duration.ofSeconds(5));
  }
}
