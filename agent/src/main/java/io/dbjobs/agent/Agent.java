package io.dbjobs.agent;

import com.zaxxer.hikari.HikariDataSource;
import io.dbjobs.agent.http.AgentHttp;
import io.dbjobs.agent.loop.AgentServices;
import io.dbjobs.agent.loop.AgentVersion;
import io.dbjobs.agent.loop.HandlerRegistry;
import io.dbjobs.agent.loop.JobLoop;
import io.dbjobs.agent.task.OptimizeHandler;
import io.dbjobs.agent.task.RestartHandler;
import io.dbjobs.agent.task.ServerProbe;
import io.dbjobs.agent.task.StartHandler;
import io.dbjobs.agent.task.StopHandler;
import io.dbjobs.agent.task.TaskHandler;
import io.dbjobs.agent.task.backup.BackupLogicalHandler;
import io.dbjobs.agent.task.backup.BackupPhysicalHandler;
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
import io.dbjobs.common.jobs.JobsDao;
import io.dbjobs.common.time.Sleeper;
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
  private final JobsDao dao;
  private final PrometheusMeterRegistry metrics =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
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
    this.dao = new JobsDao(pool, where);
    AgentServices services =
        new AgentServices(
            config,
            owner,
            pool,
            dao,
            new ServerProbe(config.database(), config.connectTimeout()),
            new ToolRunner(),
            metrics);
    this.loop = new JobLoop(services, new HandlerRegistry(handlers), sleeper, clock);
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

  /** Rolls back a datadir swap a previous instance left unfinished, before anything else runs. */
  private void recoverUnfinishedSwaps() {
    try {
      for (SwapRecovery.Recovered r : SwapRecovery.run(config, new ToolRunner())) {
        loop.keepOutcome(r.jobId(), r.owner(), r.outcome());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DbJobsException(
          ErrorCode.INTERNAL, "interrupted while recovering an unfinished swap", e);
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
          loop.keptOutcomes());
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
      Map<String, String> params = task.validate(body.params() == null ? Map.of() : body.params());
      NewJob job = NewJob.of(task, params, body.idempotencyKey(), body.submittedBy());
      try {
        long id = dao.insert(job).id();
        return status(dao.find(id).orElseThrow());
      } catch (DbJobsException e) {
        if (!SqlErrors.isConnectionLoss(e)) {
          throw e;
        }
        if (task != Task.START) {
          throw new DbJobsException(
              ErrorCode.NODE_UNREACHABLE,
              "the database of "
                  + config.node()
                  + " is unreachable; only 'start' runs without it (it is what brings the database"
                  + " back)",
              e);
        }
        return loop.runWithoutRow(job);
      }
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
