package io.dbjobs.manager.watch;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.config.Secret;
import io.dbjobs.common.time.Durations;
import io.dbjobs.manager.config.ManagerConfig;
import io.dbjobs.manager.config.NodeConfig;
import io.dbjobs.manager.fleet.AgentClient;
import io.dbjobs.manager.fleet.NodeConnections;
import io.dbjobs.manager.metrics.DaemonMetrics;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sweeps every node every {@code watchdog.interval}, all nodes in parallel: fails jobs whose lease
 * expired as "agent lost" ({@link io.dbjobs.common.jobs.ManagerJobs#failExpiredLeases}), so such a
 * job is reported within its lease plus one interval even when the node's agent never comes back;
 * logs the job state changes it sees; refreshes the job, node and agent gauges; polls each agent's
 * {@code /health} in clusters with an {@code agentToken}. An unreachable node or agent is logged
 * once per outage.
 */
public final class Watchdog implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Watchdog.class);

  private final ManagerConfig config;
  private final NodeConnections connections;
  private final AgentClient agents;
  private final DaemonMetrics metrics;
  private final String observer;
  private final Clock clock;
  private final List<NodeWatch> nodes = new ArrayList<>();
  private final Map<String, Instant> agentOutages = new ConcurrentHashMap<>();
  private final ExecutorService workers;
  private final ScheduledExecutorService timer;

  /**
   * @param observer who marks jobs lost, written into their result, e.g. {@code manager@host}
   */
  public Watchdog(
      ManagerConfig config,
      NodeConnections connections,
      AgentClient agents,
      DaemonMetrics metrics,
      String observer,
      Clock clock) {
    this.config = config;
    this.connections = connections;
    this.agents = agents;
    this.metrics = metrics;
    this.observer = observer;
    this.clock = clock;
    config.nodes().forEach(n -> nodes.add(new NodeWatch(n)));
    AtomicInteger n = new AtomicInteger();
    this.workers =
        Executors.newFixedThreadPool(
            Math.max(1, Math.min(16, nodes.size())),
            r -> {
              Thread t = new Thread(r, "watchdog-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    this.timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "watchdog");
              t.setDaemon(true);
              return t;
            });
  }

  /** Sweeps now and then every interval until {@link #close()}. */
  public void start() {
    Duration every = config.watchdog().interval();
    timer.scheduleWithFixedDelay(this::sweepSafely, 0, every.toMillis(), TimeUnit.MILLISECONDS);
    LOG.info(
        "watchdog sweeping {} node{} every {} as {}",
        nodes.size(),
        nodes.size() == 1 ? "" : "s",
        Durations.human(every),
        observer);
  }

  private void sweepSafely() {
    try {
      sweep();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      LOG.error("watchdog sweep failed: {}", DbJobsException.describe(e), e);
    }
  }

  /** One sweep over every node, in parallel; returns when all are done. */
  public void sweep() throws InterruptedException {
    List<Callable<Void>> tasks = new ArrayList<>();
    for (NodeWatch w : nodes) {
      tasks.add(
          () -> {
            w.sweep(connections, observer, metrics, clock.instant());
            pollAgent(w.node());
            return null;
          });
    }
    workers.invokeAll(tasks);
    metrics.sweepDone();
  }

  private void pollAgent(NodeConfig n) {
    Secret token = config.cluster(n.cluster()).agentToken();
    if (token == null) {
      return; // this cluster's agents have no HTTP endpoint to ask
    }
    Instant now = clock.instant();
    try {
      agents.health(n);
      metrics.agentUp(n.name(), true);
      metrics.agentSeen(n.name(), now);
      Instant since = agentOutages.remove(n.name());
      if (since != null) {
        LOG.info(
            "the agent of {} answers again after {}",
            n.name(),
            Durations.human(Duration.between(since, now)));
      }
    } catch (DbJobsException e) {
      metrics.agentUp(n.name(), false);
      if (agentOutages.putIfAbsent(n.name(), now) == null) {
        LOG.warn("{} (logged once until it answers)", e.getMessage());
      }
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
    workers.shutdownNow();
    try {
      timer.awaitTermination(5, TimeUnit.SECONDS);
      workers.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    LOG.info("watchdog stopped");
  }
}
