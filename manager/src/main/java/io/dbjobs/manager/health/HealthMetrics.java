package io.dbjobs.manager.health;

import io.dbjobs.common.health.Diagnosis;
import io.dbjobs.manager.config.ClusterPolicy;
import io.dbjobs.manager.metrics.MetricNames;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The health and policy meters ({@link MetricNames#NODE_HEALTH} and below) on the daemon's
 * registry. A node's diagnosis is a state set: one series per diagnosis, 1 for the current one, so
 * alerts and dashboards can select {@code diagnosis!="ok"}.
 */
public final class HealthMetrics {
  private final MeterRegistry registry;
  private final Map<Tags, AtomicReference<Double>> gauges = new ConcurrentHashMap<>();
  private final Counter checks;

  public HealthMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.checks =
        Counter.builder(MetricNames.HEALTH_CHECKS)
            .description("health checks of every cluster")
            .register(registry);
  }

  /** Records a cluster's health. */
  public void record(ClusterHealth h) {
    gauge(
            MetricNames.CLUSTER_PRIMARIES,
            Tags.of("cluster", h.cluster()),
            "nodes that look like the primary")
        .set((double) h.primaries());
    for (ClusterPolicy p : ClusterPolicy.values()) {
      gauge(
              MetricNames.CLUSTER_POLICY,
              Tags.of("cluster", h.cluster(), "policy", p.label()),
              "1 for the cluster's effective policy")
          .set(p.label().equals(h.policy()) ? 1.0 : 0.0);
    }
    for (NodeHealth n : h.nodes()) {
      Tags node = Tags.of("cluster", h.cluster(), "node", n.node());
      for (Diagnosis d : Diagnosis.values()) {
        gauge(
                MetricNames.NODE_HEALTH,
                node.and("diagnosis", d.label()),
                "1 for the node's current replication diagnosis")
            .set(d == n.diagnosis() ? 1.0 : 0.0);
      }
      gauge(
              MetricNames.NODE_LAG,
              node,
              "seconds the node's cluster connection is behind",
              "seconds")
          .set(n.lagSeconds() == null ? Double.NaN : n.lagSeconds().doubleValue());
      gauge(MetricNames.NODE_ERRANT, node, "GTIDs the node has that the primary never had")
          .set((double) n.errantCount());
      gauge(MetricNames.NODE_SHUNNED, node, "1 while the node is shunned")
          .set(n.shunned() == null ? 0.0 : 1.0);
    }
  }

  public void checked() {
    checks.increment();
  }

  /** The automatic policy started a job. */
  public void action(String cluster, String node, String action) {
    Counter.builder(MetricNames.POLICY_ACTIONS)
        .tags("cluster", cluster, "node", node, "action", action)
        .description("jobs the automatic policy started")
        .register(registry)
        .increment();
  }

  /** An automatic policy's job ended. */
  public void result(String cluster, String node, String action, String result) {
    Counter.builder(MetricNames.POLICY_RESULTS)
        .tags("cluster", cluster, "node", node, "action", action, "result", result)
        .description("how the automatic policy's jobs ended")
        .register(registry)
        .increment();
  }

  /** A health check after which the policy did nothing although a node needed it. */
  public void skipped(String cluster, String reason) {
    Counter.builder(MetricNames.POLICY_SKIPS)
        .tags("cluster", cluster, "reason", reason)
        .description("checks after which the automatic policy did nothing, by reason")
        .register(registry)
        .increment();
  }

  private AtomicReference<Double> gauge(String name, Tags tags, String doc) {
    return gauge(name, tags, doc, null);
  }

  private AtomicReference<Double> gauge(String name, Tags tags, String doc, String unit) {
    return gauges.computeIfAbsent(
        tags.and("__name", name),
        k -> {
          AtomicReference<Double> v = new AtomicReference<>(0.0);
          Gauge.Builder<AtomicReference<Double>> b =
              Gauge.builder(name, v, AtomicReference::get).tags(tags).description(doc);
          if (unit != null) {
            b.baseUnit(unit);
          }
          b.register(registry);
          return v;
        });
  }
}
