package io.dbjobs.agent.loop;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.agentapi.AgentApi;
import io.dbjobs.common.auth.JobVerifier;
import io.dbjobs.common.db.SqlErrors;
import io.dbjobs.common.job.Job;
import io.dbjobs.common.job.JobOutcome;
import io.dbjobs.common.job.JobParams;
import io.dbjobs.common.job.JobState;
import io.dbjobs.common.job.NewJob;
import io.dbjobs.common.job.RowSeal;
import io.dbjobs.common.job.Task;
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

/**
 * The agent's job loop: every {@code jobs.pollInterval} it writes kept outcomes, sweeps expired
 * leases when due, and lets the {@link JobClaimer} look at the queue; the {@link JobRunner} runs
 * what was claimed and the {@link LeaseKeeper} renews the leases meanwhile. When the database goes
 * away it backs off and says so once; when it returns it says that too.
 */
public final class JobLoop implements Runnable {
  private static final Logger LOG = LoggerFactory.getLogger(JobLoop.class);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);

  private final AgentServices services;
  private final HandlerRegistry handlers;
  private final Sleeper sleeper;
  private final Clock clock;
  private final RunningJobs running;
  private final JobGate gate;
  private final OutcomeRecorder recorder;
  private final JobRunner runner;
  private final JobClaimer claimer;
  private final Ended recentlyEnded = new Ended();
  private final Map<String, AgentApi.JobStatus> withoutRow = new ConcurrentHashMap<>();
  private final ExecutorService workers;
  private final ScheduledExecutorService heartbeat;
  private final Backoff backoff;
  private volatile boolean databaseUp = true;
  private volatile boolean stopping;
  private volatile Thread loopThread;
  private long lastSweepMillis = Long.MIN_VALUE;
  private String problem;
  private long problemSinceMillis;

  public JobLoop(
      AgentServices services,
      HandlerRegistry handlers,
      AgentKeys keys,
      Sleeper sleeper,
      Clock clock) {
    this(services, handlers, keys, sleeper, clock, workerPool(services.config().node()));
  }

  JobLoop(
      AgentServices services,
      HandlerRegistry handlers,
      AgentKeys keys,
      Sleeper sleeper,
      Clock clock,
      ExecutorService workers) {
    this.services = services;
    this.handlers = handlers;
    this.sleeper = sleeper;
    this.clock = clock;
    this.workers = workers;
    this.running = new RunningJobs(services.config().jobs().maxParallel());
    this.gate =
        new JobGate(
            services.config(),
            keys,
            new SeenSeals(services.config().workDir().resolve("seen-seals"), clock),
            handlers,
            clock);
    this.recorder =
        new OutcomeRecorder(
            services.store(),
            new Outbox(services.config().workDir().resolve("outbox")),
            services.owner());
    this.runner = new JobRunner(services, running, workers);
    this.claimer = new JobClaimer(services, gate, running, runner, recorder, recentlyEnded);
    this.heartbeat =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "heartbeat-" + services.config().node());
              t.setDaemon(true);
              return t;
            });
    this.backoff =
        new Backoff(
            services.config().jobs().pollInterval(),
            max(MAX_BACKOFF, services.config().jobs().pollInterval()));
  }

  private static ExecutorService workerPool(String node) {
    return Executors.newCachedThreadPool(
        r -> {
          Thread t = new Thread(r, "job-" + node);
          t.setDaemon(false);
          return t;
        });
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
        new LeaseKeeper(services, running),
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
    recorder.flush();
    sweepIfDue();
    if (!running.hasFreeSlot()) {
      return 0;
    }
    return claimer.pollOnce(() -> stopping);
  }

  /** Runs one lease renewal of every running job now (what the heartbeat does on its schedule). */
  void renewLeasesNow() {
    new LeaseKeeper(services, running).run();
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
    } else if (SqlErrors.isUnknownColumn(e)) {
      msg =
          "the jobs table on "
              + services.store().where()
              + " is of an older schema than this agent; the manager upgrades it on first contact"
              + " (run: dbjobs nodes)";
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

  /** Keeps an outcome to write once the database answers (e.g. of a job settled at start). */
  public void keepOutcome(long jobId, String owner, JobOutcome outcome) {
    recorder.keep(jobId, owner, outcome);
  }

  /** True unless the last poll found the database unreachable. */
  public boolean databaseUp() {
    return databaseUp;
  }

  /** Outcomes kept on disk until the database answers. */
  public int keptOutcomes() {
    return recorder.kept();
  }

  /**
   * Runs a job handed over by the agent's HTTP endpoint because the database is down: only {@code
   * start} (it is what brings the database back), and only with the manager's seal for this node
   * (sealed with id 0: it has no row yet). Its outcome is kept and inserted as a finished row once
   * the database answers. Submitting the same key again returns the first run's status.
   *
   * @throws DbJobsException UNAUTHENTICATED_JOB when the seal does not verify; USAGE for another
   *     task
   */
  public AgentApi.JobStatus runWithoutRow(NewJob job, String seal) {
    AgentApi.JobStatus known = withoutRow.get(job.idempotencyKey());
    if (known != null) {
      return known;
    }
    if (job.task() != Task.START) {
      throw new DbJobsException(
          ErrorCode.USAGE,
          "only 'start' runs without the database (it is what brings it back); "
              + job.task()
              + " goes through the jobs table");
    }
    String paramsJson = JobParams.toJson(job.params());
    Job row =
        new Job(
            0,
            job.task().wireName(),
            JobState.RUNNING,
            job.idempotencyKey(),
            paramsJson,
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
            Instant.now(),
            Instant.now(),
            null,
            null,
            false,
            new RowSeal(services.config().node(), seal, null, ""));
    JobVerifier.Verified v = gate.verify(row);
    JobGate.Admitted admitted = gate.admit(row, v);
    gate.remember(v, row);
    Instant started = Instant.now();
    RunningJob rj = new RunningJob(row, admitted.task(), admitted.params(), null, "", services);
    AgentApi.JobStatus status =
        new AgentApi.JobStatus(
            0,
            job.idempotencyKey(),
            job.task().wireName(),
            JobState.RUNNING.label(),
            "starting",
            null,
            null,
            started.toEpochMilli(),
            null);
    if (withoutRow.putIfAbsent(job.idempotencyKey(), status) != null) {
      return withoutRow.get(job.idempotencyKey());
    }
    LOG.info(
        "{} runs without a row (database unreachable); its row is written once the database answers",
        job.task());
    runner.start(
        rj,
        admitted.handler(),
        (j, outcome, end) -> recorder.recordWithoutRow(job, seal, started, end, outcome),
        s -> withoutRow.put(job.idempotencyKey(), s));
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

  /** The last jobs this agent finished, by key (bounded). */
  static final class Ended {
    private final Map<String, AgentApi.JobStatus> byKey =
        java.util.Collections.synchronizedMap(
            new java.util.LinkedHashMap<>(64, 0.75f, false) {
              private static final long serialVersionUID = 1L;

              @Override
              protected boolean removeEldestEntry(Map.Entry<String, AgentApi.JobStatus> eldest) {
                return size() > 200;
              }
            });

    void add(AgentApi.JobStatus s) {
      byKey.put(s.idempotencyKey(), s);
    }

    AgentApi.JobStatus get(String key) {
      return byKey.get(key);
    }
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
      if (now - start > grace.toNanos() && (!running.anyCritical() || now > hardLimit)) {
        return false;
      }
    }
    return true;
  }

  /** Jobs running now (with a row), by id. */
  public List<Long> runningJobIds() {
    return running.ids();
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
    for (RunningJob rj : running.all()) {
      rj.requestStop(
          ErrorCode.AGENT_STOPPED,
          "agent stopped (" + reason + ") while the job was running; it did not complete");
    }
    workers.shutdown();
    try {
      if (!awaitWorkers(grace)) {
        for (RunningJob rj : running.withRows()) {
          if (rj.ended()) {
            continue; // its own outcome is being recorded
          }
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
          recorder.record(rj.label(), rj.job().id(), o);
        }
        workers.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    heartbeat.shutdownNow();
  }
}
