package io.dbjobs.manager.daemon;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.config.ConfigProblems;
import io.dbjobs.manager.api.ApiEndpoints;
import io.dbjobs.manager.api.ApiServer;
import io.dbjobs.manager.api.FleetEndpoints;
import io.dbjobs.manager.api.ManagerApi;
import io.dbjobs.manager.config.ManagerConfig;
import io.dbjobs.manager.fleet.AgentClient;
import io.dbjobs.manager.fleet.DirectFleet;
import io.dbjobs.manager.health.HealthMetrics;
import io.dbjobs.manager.health.HealthMonitor;
import io.dbjobs.manager.health.HealthReader;
import io.dbjobs.manager.metrics.DaemonMetrics;
import io.dbjobs.manager.operations.DirectOperations;
import io.dbjobs.manager.operations.OperationsEndpoints;
import io.dbjobs.manager.policy.PolicyRunner;
import io.dbjobs.manager.recover.Recover;
import io.dbjobs.manager.recover.ReseedStarter;
import io.dbjobs.manager.schedule.DaemonScheduler;
import io.dbjobs.manager.schedule.ScheduleEndpoints;
import io.dbjobs.manager.schedule.ScheduleRunner;
import io.dbjobs.manager.schedule.ScheduledBackups;
import io.dbjobs.manager.schedule.ScheduledLogs;
import io.dbjobs.manager.state.OperatorState;
import io.dbjobs.manager.state.OperatorStates;
import io.dbjobs.manager.watch.Watchdog;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running {@code dbjobs serve}: the node pools and fleet, the watchdog, the scheduler and the
 * HTTP API, and the health monitor with the automatic policy. It keeps no state in memory that
 * matters: jobs live in the nodes' tables (a restarted daemon picks them up from the rows),
 * schedules in manager.yml (and the JDBC store, when clustered), shuns and run-time policies in the
 * operator state ({@link OperatorStates}). {@link #stop} puts the scheduler on standby, stops the
 * API and the watchdog, waits for fires in progress, then closes the plugged-in parts and the
 * pools.
 */
public final class ManagerDaemon implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ManagerDaemon.class);

  private final ManagerConfig config;
  private final DirectFleet fleet;
  private final DaemonMetrics metrics;
  private final List<Object> plugged = new ArrayList<>();
  private final CountDownLatch stopped = new CountDownLatch(1);
  private DaemonScheduler scheduler;
  private Watchdog watchdog;
  private HealthReader healthReader;
  private HealthMonitor healthMonitor;
  private ApiServer api;
  private boolean stopping;

  private ManagerDaemon(ManagerConfig config, DirectFleet fleet, DaemonMetrics metrics) {
    this.config = config;
    this.fleet = fleet;
    this.metrics = metrics;
  }

  /**
   * Starts a daemon.
   *
   * @throws DbJobsException CONFIG_INVALID naming every key a daemon needs and lacks; or why the
   *     scheduler store or the API address cannot be used
   */
  public static ManagerDaemon start(ManagerConfig config, DaemonIntegrations integrations) {
    requireServable(config);
    for (String line : config.describe()) {
      LOG.info("config: {}", line);
    }
    DaemonMetrics metrics = new DaemonMetrics(integrations.clock());
    DirectFleet fleet = new DirectFleet(config);
    ManagerDaemon d = new ManagerDaemon(config, fleet, metrics);
    try {
      d.build(integrations);
    } catch (RuntimeException e) {
      d.stop("start failed");
      throw e;
    }
    LOG.info(
        "dbjobs serve {} started: {} node{} in {} cluster{}, API on {}:{}",
        version(),
        config.nodes().size(),
        config.nodes().size() == 1 ? "" : "s",
        config.clusters().size(),
        config.clusters().size() == 1 ? "" : "s",
        config.api().bind(),
        d.api.port());
    return d;
  }

  private void build(DaemonIntegrations in) {
    DaemonServices services =
        new DaemonServices(config, fleet, fleet.connections(), metrics, in.clock());
    ScheduledBackups backups = plug(in.backups().apply(services));
    ScheduledLogs logs = plug(in.logs().apply(services));
    List<ApiEndpoints> endpoints = new ArrayList<>();
    endpoints.add(new FleetEndpoints(fleet));
    ScheduleRunner runner =
        new ScheduleRunner(config, fleet, fleet.connections(), backups, logs, metrics);
    scheduler = DaemonScheduler.create(config, runner, in.clock());
    endpoints.add(new ScheduleEndpoints(scheduler));
    in.endpoints().forEach(f -> endpoints.add(plug(f.apply(services))));
    OperatorState state = OperatorStates.of(config, in.clock());
    healthReader = new HealthReader(config, fleet.connections(), state, in.clock());
    Recover recover = new Recover(config, healthReader, fleet);
    ReseedStarter reseeds = plug(in.reseeds().apply(services));
    endpoints.add(
        new OperationsEndpoints(
            new DirectOperations(config, healthReader, state, in.clock()), recover, reseeds));
    HealthMetrics healthMetrics = new HealthMetrics(metrics.registry());
    healthMonitor =
        new HealthMonitor(
            config,
            healthReader,
            healthMetrics,
            new PolicyRunner(
                config, recover, reseeds, fleet.connections(), healthMetrics, in.clock()));
    watchdog =
        new Watchdog(
            config,
            fleet.connections(),
            new AgentClient(config.connectTimeout()),
            metrics,
            observer(),
            in.clock());
    api =
        ApiServer.start(
            config.api().bind(),
            config.api().port(),
            config.api().token(),
            config.api().limits(),
            this::health,
            metrics::scrape,
            endpoints);
    watchdog.start();
    healthMonitor.start();
    scheduler.start();
  }

  private <T> T plug(T part) {
    plugged.add(part);
    return part;
  }

  /** Every key a daemon needs, all problems at once. */
  static void requireServable(ManagerConfig config) {
    ConfigProblems p = new ConfigProblems();
    if (config.clusters().isEmpty()) {
      p.add("clusters", "is required for dbjobs serve: list the clusters and nodes it manages");
    }
    if (config.api().token() == null) {
      p.add(
          "api.token",
          "is required for dbjobs serve (every API call but /health needs it): give it as {file:"
              + " /etc/dbjobs/api.token} or {env: DBJOBS_API_TOKEN}");
    }
    p.throwIfAny(String.valueOf(config.source()));
  }

  private ManagerApi.HealthDoc health() {
    return new ManagerApi.HealthDoc(
        stopping ? "stopping" : "ok",
        version(),
        scheduler.instanceId(),
        scheduler.state(),
        config.scheduler().store(),
        config.nodes().size());
  }

  /** The port the API listens on. */
  public int apiPort() {
    return api.port();
  }

  public DaemonMetrics metrics() {
    return metrics;
  }

  public DaemonScheduler scheduler() {
    return scheduler;
  }

  public Watchdog watchdog() {
    return watchdog;
  }

  public ManagerConfig config() {
    return config;
  }

  /** Stops the daemon (idempotent); see the class comment for the order. */
  public void stop(String reason) {
    synchronized (this) {
      if (stopping) {
        return;
      }
      stopping = true;
    }
    LOG.info("dbjobs serve stopping: {}", reason);
    if (scheduler != null) {
      scheduler.standby();
    }
    if (api != null) {
      api.close();
    }
    if (watchdog != null) {
      watchdog.close();
    }
    if (healthMonitor != null) {
      healthMonitor.close();
    }
    if (healthReader != null) {
      healthReader.close();
    }
    if (scheduler != null) {
      scheduler.close();
    }
    for (Object part : plugged) {
      if (part instanceof AutoCloseable c) {
        try {
          c.close();
        } catch (Exception e) {
          LOG.warn("closing {} failed: {}", part.getClass().getSimpleName(), e.toString());
        }
      }
    }
    fleet.close();
    LOG.info("dbjobs serve stopped");
    stopped.countDown();
  }

  /** Blocks until {@link #stop} has finished. */
  public void awaitStop() throws InterruptedException {
    stopped.await();
  }

  @Override
  public void close() {
    stop("closed");
  }

  /** {@code manager@host}: who the watchdog says noticed a lost agent. */
  static String observer() {
    try {
      return "manager@" + InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "manager@unknown-host";
    }
  }

  static String version() {
    String v = ManagerDaemon.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }
}
