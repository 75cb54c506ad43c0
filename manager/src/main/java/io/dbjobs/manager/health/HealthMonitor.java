package io.dbjobs.manager.health;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.time.Durations;
import io.dbjobs.manager.config.ClusterConfig;
import io.dbjobs.manager.config.ManagerConfig;
import io.dbjobs.manager.policy.PolicyRunner;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon's health watch: every {@code watchdog.interval} it reads each cluster's replication
 * health, exports it ({@link HealthMetrics}), logs each node's diagnosis when it changes, and hands
 * the cluster to the automatic policy ({@link PolicyRunner}).
 */
public final class HealthMonitor implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(HealthMonitor.class);

  private final ManagerConfig config;
  private final HealthReader reader;
  private final HealthMetrics metrics;
  private final PolicyRunner policy;
  private final Map<String, String> lastDiagnosis = new ConcurrentHashMap<>();
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "health-monitor");
            t.setDaemon(true);
            return t;
          });

  public HealthMonitor(
      ManagerConfig config, HealthReader reader, HealthMetrics metrics, PolicyRunner policy) {
    this.config = config;
    this.reader = reader;
    this.metrics = metrics;
    this.policy = policy;
  }

  /** Checks now and then every {@code watchdog.interval} until closed. */
  public void start() {
    Duration every = config.watchdog().interval();
    timer.scheduleWithFixedDelay(this::checkSafely, 0, every.toMillis(), TimeUnit.MILLISECONDS);
    LOG.info(
        "health monitor checking {} cluster{} every {}",
        config.clusters().size(),
        config.clusters().size() == 1 ? "" : "s",
        Durations.human(every));
  }

  private void checkSafely() {
    for (ClusterConfig c : config.clusters()) {
      try {
        check(c.name());
      } catch (RuntimeException e) {
        LOG.error(
            "health check of cluster {} failed: {}", c.name(), DbJobsException.describe(e), e);
      }
    }
    metrics.checked();
  }

  /** One check of one cluster. */
  public ClusterHealth check(String cluster) {
    ClusterHealth h = reader.read(cluster);
    metrics.record(h);
    for (NodeHealth n : h.nodes()) {
      String now = n.diagnosis().label();
      String before = lastDiagnosis.put(h.cluster() + "/" + n.node(), now);
      if (!now.equals(before)) {
        if (ClusterDiagnosis.fine(n.diagnosis())) {
          LOG.info(
              "{}: replication {}{}", n.node(), now, before == null ? "" : " (was " + before + ")");
        } else {
          LOG.warn(
              "{}: replication {} (was {}): {}",
              n.node(),
              now,
              before == null ? "not checked yet" : before,
              n.summary());
        }
      }
    }
    policy.afterCheck(h);
    return h;
  }

  @Override
  public void close() {
    timer.shutdownNow();
    try {
      timer.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
