package io.dbjobs.agent.loop;

import io.dbjobs.agent.task.TaskHandler;
import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.agentapi.AgentApi;
import io.dbjobs.common.db.SqlErrors;
import io.dbjobs.common.job.Job;
import io.dbjobs.common.job.JobOutcome;
import io.dbjobs.common.job.JobParams;
import io.dbjobs.common.job.JobState;
import io.dbjobs.common.job.NewJob;
import io.dbjobs.common.job.Task;
import io.dbjobs.common.jobs.JobsDao;
import io.dbjobs.common.time.Backoff;
import io.dbjobs.common.time.Durations;
import io.dbjobs.common.time.Sleeper;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The agent's job loop: polls its node's table every {@code jobs.pollInterval}, claims queued jobs
 * in id order while it has a free slot (a destructive task runs alone), runs each on its own
 * thread, renews leases with a {@link Heartbeat}, fails jobs whose lease expired ("agent lost"),
 * and writes outcomes back (or keeps them in the {@link Outbox} while the database is away). When
 * the database goes away it backs off and says so once; when it returns it says that too.
 */
public final class JobLoop implements Runnable {
  private static final Logger LOG = LoggerFactory.getLogger(JobLoop.class);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);
  private static final int POLL_BATCH = 20;

  private final AgentServices services;
  private final HandlerRegistry handlers;
  private final Sleeper sleeper;
  private final Clock clock;
  private final Outbox outbox;
  private final Map<Long, RunningJob> running = new ConcurrentHashMap<>();
  private final Map<String, RunningJob> runningWithoutRow = new ConcurrentHashMap<>();
  private final Map<String, AgentApi.JobStatus> withoutRow = new ConcurrentHashMap<>();
  private final Map<String, AgentApi.JobStatus> recentlyEnded = recentMap();
  private volatile boolean databaseUp = true;
  private final ExecutorService workers;
  private final ScheduledExecutorService heartbeat;
  private final Backoff backoff;
  private volatile boolean stopping;
  private volatile Thread loopThread;
  private long lastSweepMillis = Long.MIN_VALUE;
  private String problem;
  private long problemSinceMillis;

  public JobLoop(AgentServices services, HandlerRegistry handlers, Sleeper sleeper, Clock clock) {
    this.services = services;
    this.handlers = handlers;
    this.sleeper = sleeper;
    this.clock = clock;
    this.outbox = new Outbox(services.config().workDir().resolve("outbox"));
    String node = services.config().node();
    this.workers =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "job-" + node);
              t.setDaemon(false);
              return t;
            });
    this.heartbeat =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "heartbeat-" + node);
              t.setDaemon(true);
              return t;
            });
    this.backoff =
        new Backoff(
            services.config().jobs().pollInterval(),
            max(MAX_BACKOFF, services.config().jobs().pollInterval()));
  }

  private static Duration max(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }

  /** Runs until {@link #stop}. */
  @Override
  public void run() {
    loopThread = Thread.currentThread();
    Duration beat = services.config().jobs().heartbeat();
    heartbeat.scheduleWithFixedDelay(
        new Heartbeat(services, running.values()),
        beat.toMillis(),
        beat.toMillis(),
        TimeUnit.MILLISECONDS);
    LOG.info(
        "agent {} polling {} every {} (handlers: {})",
        services.owner(),
        services.store().where(),
        Durations.human(services.config().jobs().pollInterval()),
        handlers.tasks().stream().map(Task::wireName).collect(Collectors.joining(", ")));
    while (!stopping) {
      Duration pause;
      try {
        pollOnce();
        databaseUp = true;
        recovered();
        backoff.reset();
        pause = services.config().jobs().pollInterval();
      } catch (DbJobsException e) {
        pause = backoff.nextDelay();
        databaseUp = !SqlErrors.isConnectionLoss(e);
        trouble(e, pause);
      } catch (RuntimeException e) {
        pause = backoff.nextDelay();
        LOG.error(
            "agent loop iteration failed unexpectedly; retrying in {}", Durations.human(pause), e);
      }
      try {
        sleeper.sleep(pause);
      } catch (InterruptedException e) {
        if (!stopping) {
          LOG.warn("agent loop interrupted without a stop request; stopping");
        }
        Thread.currentThread().interrupt();
        break;
      }
    }
  }

  /**
   * One iteration: flush kept outcomes, sweep expired leases when due, claim and start what fits.
   *
   * @return the number of jobs started
   */
  public int pollOnce() {
    outbox.flush(services.store());
    sweepIfDue();
    int started = 0;
    if (!hasFreeSlot()) {
      return 0;
    }
    for (JobsDao.Queued q : services.store().queued(POLL_BATCH)) {
      if (stopping) {
        break;
      }
      Optional<Task> task = Task.byName(q.task());
      if (task.isPresent() && !canStart(task.get())) {
        break; // first in, first out: nothing overtakes a job that must wait for a slot
      }
      if (!services.store().claim(q.id(), services.owner(), services.config().jobs().lease())) {
        continue; // cancelled or claimed meanwhile
      }
      if (start(q.id())) {
        started++;
      }
    }
    return started;
  }

  private boolean hasFreeSlot() {
    return running.size() < services.config().jobs().maxParallel()
        && running.values().stream().noneMatch(r -> r.task().isDestructive());
  }

  private boolean canStart(Task t) {
    if (running.isEmpty()) {
      return true;
    }
    return !t.isDestructive() && hasFreeSlot();
  }

  /** Starts a claimed job, or fails it at once when it cannot run. */
  private boolean start(long id) {
    Job job =
        services
            .store()
            .find(id)
            .orElseThrow(
                () ->
                    new DbJobsException(
                        ErrorCode.NOT_FOUND, "job " + id + " vanished after its claim"));
    Task task;
    Map<String, String> params;
    TaskHandler handler;
    try {
      task = Task.require(job.task());
      handler =
          handlers
              .forTask(task)
              .orElseThrow(
                  () ->
                      new DbJobsException(
                          ErrorCode.UNKNOWN_TASK,
                          "task '"
                              + job.task()
                              + "' is not supported by this agent (dbjobs "
                              + AgentVersion.get()
                              + "); it runs: "
                              + handlers.tasks().stream()
                                  .map(Task::wireName)
                                  .collect(Collectors.joining(", "))));
      params = task.validate(job.params());
    } catch (DbJobsException e) {
      LOG.warn("job {} ({}) rejected: {}", id, job.task(), e.getMessage());
      services
          .store()
          .finish(id, services.owner(), JobOutcome.failed(e.code(), e.getMessage()), false);
      return false;
    }
    RunningJob rj = new RunningJob(job, task, params, services);
    running.put(id, rj);
    LOG.info("{} claimed (attempt {}), params {}", rj.label(), job.attempts(), params);
    workers.execute(() -> execute(rj, handler));
    return true;
  }

  private void execute(RunningJob rj, TaskHandler handler) {
    rj.bindThread(Thread.currentThread());
    Thread.currentThread().setName("job-" + rj.job().id() + "-" + rj.task());
    MDC.put("job", Long.toString(rj.job().id()));
    JobOutcome outcome = null;
    Throwable failure = null;
    try {
      outcome = handler.run(rj);
    } catch (Throwable t) {
      failure = t;
    } finally {
      Thread.interrupted(); // a stop request may have interrupted us; recording must not be
    }
    try {
      outcome = finalOutcome(rj, outcome, failure).withProgress(rj.currentProgress());
      rj.cleanUp();
      report(rj, outcome);
      recentlyEnded.put(
          rj.job().idempotencyKey(),
          new AgentApi.JobStatus(
              rj.job().id(),
              rj.job().idempotencyKey(),
              rj.task().wireName(),
              outcome.state().label(),
              outcome.state() == JobState.SUCCEEDED ? "done" : outcome.state().label(),
              outcome.result(),
              outcome.errorCode() == null ? null : outcome.errorCode().name(),
              rj.job().started() == null ? null : rj.job().started().toEpochMilli(),
              Instant.now().toEpochMilli()));
      record(rj, outcome);
    } finally {
      running.remove(rj.job().id());
      MDC.remove("job");
    }
  }

  /** What to record: a stop request wins over anything but success; exceptions become errors. */
  static JobOutcome finalOutcome(RunningJob rj, JobOutcome outcome, Throwable failure) {
    DbJobsException stop = rj.stopReason();
    if (stop != null && (outcome == null || outcome.state() != JobState.SUCCEEDED)) {
      String at = " (phase '" + rj.currentProgress().phase() + "')";
      return stop.code() == ErrorCode.CANCELLED
          ? JobOutcome.cancelled(stop.getMessage() + at)
          : JobOutcome.failed(stop.code(), stop.getMessage() + at);
    }
    if (failure != null) {
      if (failure instanceof InterruptedException) {
        return JobOutcome.failed(ErrorCode.INTERNAL, "interrupted without a stop request");
      }
      DbJobsException d = DbJobsException.from(failure, rj.task() + " failed");
      if (d.code() == ErrorCode.INTERNAL) {
        LOG.error("{} failed with an unexpected error", rj.label(), failure);
      }
      return JobOutcome.failed(d.code(), d.getMessage());
    }
    if (outcome == null) {
      return JobOutcome.failed(
          ErrorCode.INTERNAL, "the " + rj.task() + " handler returned no outcome");
    }
    return outcome;
  }

  private void report(RunningJob rj, JobOutcome o) {
    services
        .metrics()
        .counter(
            "dbjobs.agent.jobs.finished", "task", rj.task().wireName(), "state", o.state().label())
        .increment();
    services
        .metrics()
        .timer("dbjobs.agent.job.duration", "task", rj.task().wireName())
        .record(rj.elapsed());
    String took = Durations.human(rj.elapsed());
    if (o.state() == JobState.SUCCEEDED) {
      LOG.info("{} succeeded after {}: {}", rj.label(), took, o.result());
    } else {
      LOG.warn("{} {} after {}: {}: {}", rj.label(), o.state(), took, o.errorCode(), o.result());
    }
  }

  /** Writes the outcome; keeps it in the outbox when the database cannot be reached. */
  private void record(RunningJob rj, JobOutcome o) {
    try {
      if (!services.store().finish(rj.job().id(), services.owner(), o, false)) {
        LOG.warn(
            "{}: outcome {} not recorded: the job is no longer this agent's (marked lost or"
                + " taken over while it ran)",
            rj.label(),
            o.state());
      }
    } catch (DbJobsException e) {
      if (!SqlErrors.isConnectionLoss(e)) {
        LOG.error("{}: cannot record its outcome: {}", rj.label(), e.getMessage());
        return;
      }
      outbox.keep(rj.job().id(), services.owner(), o);
      LOG.info(
          "{}: database unreachable; outcome {} kept in the outbox until it answers again",
          rj.label(),
          o.state());
    }
  }

  private void sweepIfDue() {
    long now = clock.millis();
    if (lastSweepMillis != Long.MIN_VALUE
        && now - lastSweepMillis < services.config().jobs().sweepInterval().toMillis()) {
      return;
    }
    lastSweepMillis = now;
    int lost = services.store().failExpiredLeases(services.owner(), services.owner());
    if (lost > 0) {
      LOG.warn(
          "{} job(s) on this node had an expired lease and were marked failed (agent lost)", lost);
    }
  }

  private void trouble(DbJobsException e, Duration retryIn) {
    String msg;
    if (SqlErrors.isMissingTable(e)) {
      msg =
          "the jobs table does not exist yet on "
              + services.store().where()
              + "; the manager creates it on first contact (run: dbjobs nodes)";
    } else if (SqlErrors.isConnectionLoss(e)) {
      msg = "database " + services.store().where() + " unreachable: " + SqlErrors.message(e);
    } else if (SqlErrors.isAccessDenied(e)) {
      msg = e.getMessage() + " (grant what sql/grants.sql lists for the agent)";
    } else {
      msg = e.getMessage();
    }
    if (problem == null) {
      problemSinceMillis = clock.millis();
    }
    // one warning per kind of trouble: pool counters in driver messages change on every try
    String kind = SqlErrors.isConnectionLoss(e) ? "unreachable" : msg;
    if (!kind.equals(problem)) {
      LOG.warn("{}; retrying with back-off (next in {})", msg, Durations.human(retryIn));
      problem = kind;
    } else {
      LOG.debug("still failing ({}), next try in {}", msg, Durations.human(retryIn));
    }
  }

  private void recovered() {
    if (problem != null) {
      LOG.info(
          "database {} answers again after {}",
          services.store().where(),
          Durations.human(Duration.ofMillis(clock.millis() - problemSinceMillis)));
      problem = null;
    }
  }

  /** Keeps an outcome to write once the database answers (e.g. of a job recovered at start). */
  public void keepOutcome(long jobId, String owner, JobOutcome outcome) {
    outbox.keep(jobId, owner, outcome);
  }

  /** True unless the last poll found the database unreachable. */
  public boolean databaseUp() {
    return databaseUp;
  }

  /** Outcomes kept on disk until the database answers. */
  public int keptOutcomes() {
    return outbox.count();
  }

  /**
   * Runs a job that cannot have a row yet because the database is down (only {@code start} can be
   * useful then). Its outcome is kept and inserted as a finished row once the database answers.
   * Submitting the same idempotency key again returns the first run's status.
   */
  public AgentApi.JobStatus runWithoutRow(NewJob job) {
    AgentApi.JobStatus known = withoutRow.get(job.idempotencyKey());
    if (known != null) {
      return known;
    }
    TaskHandler handler =
        handlers
            .forTask(job.task())
            .orElseThrow(
                () ->
                    new DbJobsException(
                        ErrorCode.UNKNOWN_TASK, "this agent does not run " + job.task()));
    Map<String, String> params = job.task().validate(job.params());
    Instant started = Instant.now();
    Job row =
        new Job(
            0,
            job.task().wireName(),
            JobState.RUNNING,
            job.idempotencyKey(),
            JobParams.toJson(params),
            "",
            0,
            1,
            services.owner(),
            null,
            false,
            "starting",
            0,
            null,
            null,
            null,
            null,
            job.submittedBy(),
            started,
            started,
            null,
            null);
    RunningJob rj = new RunningJob(row, job.task(), params, services);
    AgentApi.JobStatus status = status(rj, JobState.RUNNING, null, started, null);
    if (withoutRow.putIfAbsent(job.idempotencyKey(), status) != null) {
      return withoutRow.get(job.idempotencyKey());
    }
    runningWithoutRow.put(job.idempotencyKey(), rj);
    LOG.info(
        "{} runs without a row (database unreachable); its row is written once the database answers",
        job.task());
    workers.execute(
        () -> {
          rj.bindThread(Thread.currentThread());
          JobOutcome outcome = null;
          Throwable failure = null;
          try {
            outcome = handler.run(rj);
          } catch (Throwable t) {
            failure = t;
          } finally {
            Thread.interrupted();
          }
          outcome = finalOutcome(rj, outcome, failure);
          Instant ended = Instant.now();
          report(rj, outcome);
          outbox.keepNew(job, services.owner(), started, ended, outcome);
          withoutRow.put(
              job.idempotencyKey(), status(rj, outcome.state(), outcome, started, ended));
          runningWithoutRow.remove(job.idempotencyKey());
        });
    return status;
  }

  /**
   * What this agent knows of a job by key without its database: jobs run without a row, and the
   * last jobs it finished (e.g. a {@code stop} whose outcome waits in the outbox).
   */
  public Optional<AgentApi.JobStatus> statusByKey(String key) {
    AgentApi.JobStatus s = withoutRow.get(key);
    return Optional.ofNullable(s != null ? s : recentlyEnded.get(key));
  }

  private static Map<String, AgentApi.JobStatus> recentMap() {
    return java.util.Collections.synchronizedMap(
        new java.util.LinkedHashMap<>(64, 0.75f, false) {
          private static final long serialVersionUID = 1L;

          @Override
          protected boolean removeEldestEntry(Map.Entry<String, AgentApi.JobStatus> eldest) {
            return size() > 200;
          }
        });
  }

  private static AgentApi.JobStatus status(
      RunningJob rj, JobState state, JobOutcome o, Instant started, Instant ended) {
    return new AgentApi.JobStatus(
        0,
        rj.job().idempotencyKey(),
        rj.task().wireName(),
        state.label(),
        o == null
            ? rj.currentProgress().phase()
            : (state == JobState.SUCCEEDED ? "done" : state.label()),
        o == null ? null : o.result(),
        o == null || o.errorCode() == null ? null : o.errorCode().name(),
        started.toEpochMilli(),
        ended == null ? null : ended.toEpochMilli());
  }

  /**
   * Waits for the job threads: up to {@code grace}, and longer (up to 15 minutes) while a job is in
   * a critical step such as a datadir swap, which must finish or roll back, never stop halfway.
   */
  private boolean awaitWorkers(Duration grace) throws InterruptedException {
    long start = System.nanoTime();
    long hardLimit = start + Duration.ofMinutes(15).toNanos();
    while (!workers.awaitTermination(200, TimeUnit.MILLISECONDS)) {
      long now = System.nanoTime();
      boolean critical = running.values().stream().anyMatch(RunningJob::inCriticalStep);
      if (now - start > grace.toNanos() && (!critical || now > hardLimit)) {
        return false;
      }
    }
    return true;
  }

  /** Jobs running now, by id. */
  public List<Long> runningJobIds() {
    return List.copyOf(running.keySet());
  }

  /**
   * Stops the loop: claims nothing more, asks running jobs to end with AGENT_STOPPED, waits up to
   * {@code grace} for them to record that, and records it itself for any that did not end in time.
   */
  public void stop(String reason, Duration grace) {
    stopping = true;
    Thread t = loopThread;
    if (t != null && t != Thread.currentThread()) {
      t.interrupt();
    }
    for (RunningJob rj : runningWithoutRow.values()) {
      rj.requestStop(
          ErrorCode.AGENT_STOPPED, "agent stopped (" + reason + ") while the job was running");
    }
    for (RunningJob rj : running.values()) {
      rj.requestStop(
          ErrorCode.AGENT_STOPPED,
          "agent stopped (" + reason + ") while the job was running; it did not complete");
    }
    workers.shutdown();
    try {
      if (!awaitWorkers(grace)) {
        for (RunningJob rj : running.values()) {
          JobOutcome o =
              JobOutcome.failed(
                  ErrorCode.AGENT_STOPPED,
                  "agent stopped ("
                      + reason
                      + "); the job did not end within the "
                      + Durations.human(grace)
                      + " shutdown grace (phase '"
                      + rj.currentProgress().phase()
                      + "')");
          LOG.warn(
              "{} did not end within {}; recording it as stopped",
              rj.label(),
              Durations.human(grace));
          record(rj, o);
        }
        workers.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    heartbeat.shutdownNow();
  }
}
