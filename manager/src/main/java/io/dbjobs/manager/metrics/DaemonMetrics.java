package io.dbjobs.manager.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The daemon's meters, served on {@code /metrics} in Prometheus form. The watchdog and the
 * scheduler feed them through the methods below; streams and backups through {@link #backups()}.
 * Names are in {@link MetricNames}.
 */
public final class DaemonMetrics {
  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Map<Tags, AtomicLong> jobCounts = new ConcurrentHashMap<>();
  private final Map<String, Set<Tags>> jobTagsByNode = new ConcurrentHashMap<>();
  private final Map<Tags, AtomicLong> nodeUp = new ConcurrentHashMap<>();
  private final Map<Tags, AtomicLong> agentUp = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> agentSeen = new ConcurrentHashMap<>();
  private final Counter sweeps;
  private final BackupMetrics backups;

  public DaemonMetrics(Clock clock) {
    sweeps =
        Counter.builder(MetricNames.SWEEPS)
            .description("watchdog sweeps over every node")
            .register(registry);
    backups = new BackupMetrics(registry, clock);
  }

  public MeterRegistry registry() {
    return registry;
  }

  /** The Prometheus text exposition of every meter. */
  public String scrape() {
    return registry.scrape();
  }

  /** Where streams and backups report (the backup catalog and stream receiver). */
  public BackupMetrics backups() {
    return backups;
  }

  /**
   * The node's job counts by task and state, replacing the previous ones (a combination gone since
   * reads 0).
   */
  public void jobCounts(String node, Map<TaskState, Long> counts) {
    Set<Tags> seen = jobTagsByNode.computeIfAbsent(node, k -> ConcurrentHashMap.newKeySet());
    Set<Tags> now = new java.util.HashSet<>();
    counts.forEach(
        (ts, n) -> {
          Tags t = Tags.of("node", node, "task", ts.task(), "state", ts.state());
          now.add(t);
          gauge(jobCounts, t, MetricNames.JOBS, "jobs in the node's jobs table").set(n);
        });
    for (Tags t : seen) {
      if (!now.contains(t)) {
        jobCounts.get(t).set(0);
      }
    }
    seen.addAll(now);
  }

  /** A task and a state label, the key of {@link #jobCounts}. */
  public record TaskState(String task, String state) {}

  public void nodeUp(String node, boolean up) {
    gauge(nodeUp, Tags.of("node", node), MetricNames.NODE_UP, "1 when the node's database answers")
        .set(up ? 1 : 0);
  }

  public void agentUp(String node, boolean up) {
    gauge(agentUp, Tags.of("node", node), MetricNames.AGENT_UP, "1 when the agent answers /health")
        .set(up ? 1 : 0);
  }

  public void agentSeen(String node, Instant at) {
    agentSeen
        .computeIfAbsent(
            node,
            n -> {
              AtomicLong v = new AtomicLong();
              Gauge.builder(MetricNames.AGENT_LAST_SEEN, v, AtomicLong::get)
                  .tags("node", n)
                  .baseUnit("seconds")
                  .description("when the node's agent last answered /health")
                  .register(registry);
              return v;
            })
        .set(at.getEpochSecond());
  }

  public void agentLost(String node, int jobs) {
    Counter.builder(MetricNames.AGENT_LOST)
        .tag("node", node)
        .description("jobs the watchdog failed as agent lost")
        .register(registry)
        .increment(jobs);
  }

  public void sweepDone() {
    sweeps.increment();
  }

  public void scheduleFired(String cluster, String schedule, String task) {
    Counter.builder(MetricNames.SCHEDULE_FIRES)
        .tags("cluster", cluster, "schedule", schedule, "task", task)
        .description("times a schedule fired on this manager")
        .register(registry)
        .increment();
  }

  public void scheduleSkipped(String cluster, String schedule, String task, String reason) {
    Counter.builder(MetricNames.SCHEDULE_SKIPS)
        .tags("cluster", cluster, "schedule", schedule, "task", task, "reason", reason)
        .description("schedule fires that enqueued nothing, by reason")
        .register(registry)
        .increment();
  }

  private AtomicLong gauge(Map<Tags, AtomicLong> values, Tags tags, String name, String doc) {
    return values.computeIfAbsent(
        tags,
        t -> {
          AtomicLong v = new AtomicLong();
          Gauge.builder(name, v, AtomicLong::get).tags(t).description(doc).register(registry);
          return v;
        });
  }
}
