package io.dbjobs.agent;

import com.zaxxer.hikari.HikariDataSource;
import io.dbjobs.agent.http.AgentHttp;
import io.dbjobs.agent.loop.AgentKeys;
import io.dbjobs.agent.loop.AgentServices;
import io.dbjobs.agent.loop.AgentVersion;
import io.dbjobs.agent.loop.HandlerRegistry;
import io.dbjobs.agent.loop.JobLoop;
import io.dbjobs.agent.task.OptimizeHandler;
import io.dbjobs.agent.task.RestartHandler;
import io.dbjobs.agent.task.RotateKeyHandler;
import io.dbjobs.agent.task.ServerProbe;
import io.dbjobs.agent.task.StartHandler;
import io.dbjobs.agent.task.StopHandler;
import io.dbjobs.agent.task.TaskHandler;
import io.dbjobs.agent.task.backup.BackupLogicalHandler;
import io.dbjobs.agent.task.backup.BackupPhysicalHandler;
import io.dbjobs.agent.task.backup.DatadirSize;
import io.dbjobs.agent.task.logs.LogCollectHandler;
import io.dbjobs.agent.task.recover.RecoverHandler;
import io.dbjobs.agent.task.reseed.FlashbackHandler;
import io.dbjobs.agent.task.reseed.ReseedLogicalHandler;
import io.dbjobs.agent.task.reseed.ReseedPhysicalHandler;
import io.dbjobs.agent.task.reseed.SwapRecovery;
import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.agentapi.AgentApi;
import io.dbjobs.common.db.DataSources;
import io.dbjobs.common.db.SqlErrors;
import io.dbjobs.common.job.Job;
import io.dbjobs.common.job.NewJob;
import io.dbjobs.common.job.Task;
import io.dbjobs.common.jobs.AgentJobsTable;
import io.dbjobs.common.time.Sleeper;
import io.dbjobs.common.time.Wakeup;
import io.dbjobs.common.tool.ToolRunner;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running agent: its pool to the node, its job loop on a thread of its own, its handlers.
 * {@link #stop} ends it cleanly (running jobs end as failed with "agent stopped").
 */
public final class Agent implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Agent.class);
  private static final AtomicInteger INSTANCES = new AtomicInteger();

  private final AgentConfig config;
  private final HikariDataSource pool;
  private final JobLoop loop;
  private final Thread loopThread;
  private final String owner;
  private final AgentJobsTable dao;
  private final AgentKeys keys;
  private final ServerProbe probe;
  private final PrometheusMeterRegistry metrics =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Wakeup wakeup = new Wakeup();
  private AgentHttp http;
  private volatile boolean stopped;

  private Agent(AgentConfig config, List<TaskHandler> handlers, Sleeper sleeper, Clock clock) {
    this.config = config;
    this.owner = ownerName(config.node());
    this.pool =
        DataSources.pool(
            config.database(),
            "agent-" + config.node(),
            2 + config.jobs().maxParallel(),
            config.connectTimeout());
    String where = config.node() + " (" + config.database().describe() + ")";
    this.dao = new AgentJobsTable(pool, where);
    this.keys = new AgentKeys(config.security().keyFile(), config.node());
    this.probe = new ServerProbe(config.database(), config.connectTimeout());
    AgentServices services =
        new AgentServices(config, owner, pool, dao, probe, new ToolRunner(), metrics);
    List<TaskHandler> all = new java.util.ArrayList<>(handlers);
    if (all.stream().noneMatch(h -> h.task() == Task.ROTATE_KEY)) {
      all.add(new RotateKeyHandler(keys));
    }
    // the real clock's pauses end early on a wake from the manager; a test's sleeper is kept
    Sleeper pauses = sleeper == Sleeper.SYSTEM ? wakeup : sleeper;
    this.loop = new JobLoop(services, new HandlerRegistry(all), keys, pauses, clock);
    this.loopThread = new Thread(loop, "agent-loop-" + config.node());
  }

  /** The handlers of every task this build runs. */
  public static List<TaskHandler> defaultHandlers() {
    return List.of(
        new BackupPhysicalHandler(),
        new BackupLogicalHandler(),
        LogCollectHandler.errorLog(),
        LogCollectHandler.slowQueryLog(),
        new OptimizeHandler(),
        new StopHandler(),
        new StartHandler(),
        new RestartHandler(),
        new ReseedPhysicalHandler(),
        new ReseedLogicalHandler(),
        new FlashbackHandler(),
        new RecoverHandler());
  }

  /** Starts an agent with the default handlers, real time and real sleeping. */
  public static Agent start(AgentConfig config) {
    return start(config, defaultHandlers(), Sleeper.SYSTEM, Clock.systemUTC());
  }

  public static Agent start(
      AgentConfig config, List<TaskHandler> handlers, Sleeper sleeper, Clock clock) {
    Agent a = new Agent(config, handlers, sleeper, clock);
    for (String line : config.describe()) {
      LOG.info("config: {}", line);
    }
    a.registerGauges();
    a.recoverUnfinishedSwaps();
    a.loopThread.start();
    if (config.http().port() != 0) {
      a.http =
          AgentHttp.start(
              config.http().bind(),
              config.http().port(),
              config.http().token(),
              config.http().limits(),
              a.new HttpBackend());
    }
    return a;
  }

  public String owner() {
    return owner;
  }

  public AgentConfig config() {
    return config;
  }

  /**
   * Settles the reseeds a previous instance left unfinished (finished or rolled back, see {@link
   * SwapRecovery}) before anything is claimed; their outcomes go to the outbox.
   */
  private void recoverUnfinishedSwaps() {
    try {
      SwapRecovery.Parts parts =
          new SwapRecovery.Parts(
              config,
              pool,
              dao,
              new ServerProbe(config.database(), config.connectTimeout()),
              new ToolRunner());
      for (SwapRecovery.Settled r : SwapRecovery.settle(parts)) {
        loop.keepOutcome(r.jobId(), r.owner(), r.outcome());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      pool.close();
      throw new DbJobsException(
          ErrorCode.INTERNAL, "interrupted while settling an unfinished reseed", e);
    } catch (RuntimeException e) {
      // the node needs a hand (the message says what); this agent claims nothing meanwhile
      pool.close();
      throw e;
    }
  }

  /** The bound HTTP port, or 0 when the endpoint is off. */
  public int httpPort() {
    return http == null ? 0 : http.port();
  }

  private void registerGauges() {
    Gauge.builder("dbjobs.agent.running.jobs", loop, l -> l.runningJobIds().size())
        .description("jobs this agent runs now")
        .register(metrics);
    Gauge.builder("dbjobs.agent.database.up", loop, l -> l.databaseUp() ? 1 : 0)
        .description("1 when the last poll reached the database")
        .register(metrics);
    Gauge.builder("dbjobs.agent.kept.outcomes", loop, JobLoop::keptOutcomes)
        .description("outcomes waiting in the outbox for the database")
        .register(metrics);
  }

  /** What the HTTP endpoint serves. */
  private final class HttpBackend implements AgentHttp.Backend {
    @Override
    public AgentApi.Health health() {
      return new AgentApi.Health(
          config.node(),
          owner,
          AgentVersion.get(),
          loop.databaseUp(),
          loop.runningJobIds().size(),
          loop.keptOutcomes(),
          keys.ring().ids());
    }

    @Override
    public String metrics() {
      return metrics.scrape();
    }

    @Override
    public AgentApi.JobStatus submit(AgentApi.SubmitBody body) {
      if (body.task() == null || body.idempotencyKey() == null || body.idempotencyKey().isBlank()) {
        throw new DbJobsException(
            ErrorCode.USAGE, "a submitted job needs a task and an idempotencyKey");
      }
      Task task = Task.require(body.task());
      NewJob job =
          NewJob.of(
              task,
              body.params() == null ? Map.of() : body.params(),
              body.idempotencyKey(),
              body.submittedBy());
      if (probe.answers()) {
        throw new DbJobsException(
            ErrorCode.USAGE,
            "the database of "
                + config.node()
                + " answers: jobs go through its jobs table; the agent's endpoint runs only a"
                + " 'start' while the database is down");
      }
      return loop.runWithoutRow(job, body.seal());
    }

    @Override
    public AgentApi.Facts facts() {
      return DatadirSize.facts(pool);
    }

    @Override
    public void wake() {
      wakeup.wake();
    }

    @Override
    public Optional<AgentApi.JobStatus> byKey(String key) {
      try {
        Optional<Job> row = dao.findByKey(key);
        if (row.isPresent()) {
          return Optional.of(status(row.get()));
        }
      } catch (DbJobsException e) {
        if (!SqlErrors.isConnectionLoss(e)) {
          throw e;
        }
      }
      return loop.statusByKey(key);
    }

    private AgentApi.JobStatus status(Job j) {
      return new AgentApi.JobStatus(
          j.id(),
          j.idempotencyKey(),
          j.task(),
          j.state().label(),
          j.phase(),
          j.result(),
          j.errorCode(),
          j.started() == null ? null : j.started().toEpochMilli(),
          j.ended() == null ? null : j.ended().toEpochMilli());
    }
  }

  public List<Long> runningJobIds() {
    return loop.runningJobIds();
  }

  /** Stops the loop and the jobs it runs (they are recorded as failed: agent stopped). */
  public synchronized void stop(String reason) {
    if (stopped) {
      return;
    }
    stopped = true;
    LOG.info("agent {} stopping: {}", owner, reason);
    if (http != null) {
      http.close();
    }
    loop.stop(reason, config.jobs().shutdownGrace());
    try {
      loopThread.join(TimeUnit.SECONDS.toMillis(10));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    pool.close();
    LOG.info("agent {} stopped", owner);
  }

  /** Waits until the agent was stopped. */
  public void awaitStop() throws InterruptedException {
    loopThread.join();
  }

  @Override
  public void close() {
    stop("closed");
  }

  private static String ownerName(String node) {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      host = "unknown-host";
    }
    int n = INSTANCES.incrementAndGet();
    return node + "@" + host + "/" + ProcessHandle.current().pid() + (n > 1 ? "-" + n : "");
  }
}
