package io.dbjobs.agent.loop;

import io.dbjobs.agent.AgentConfig;
import io.dbjobs.agent.task.JobContext;
import io.dbjobs.agent.task.ServerProbe;
import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.job.Job;
import io.dbjobs.common.job.Progress;
import io.dbjobs.common.job.Task;
import io.dbjobs.common.job.params.ParamsCodec;
import io.dbjobs.common.job.params.TaskParams;
import io.dbjobs.common.jobs.AgentJobs;
import io.dbjobs.common.tool.RunningTool;
import io.dbjobs.common.tool.ToolCommand;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One claimed job while it runs: the handler's {@link JobContext} and the loop's handle on it. */
final class RunningJob implements JobContext {
  private static final Logger LOG = LoggerFactory.getLogger(RunningJob.class);

  private final Job job;
  private final Task task;
  private final Map<String, String> params;
  private final String secretHex;
  private final String peerName;
  private final AgentServices services;
  private final long startNanos = System.nanoTime();
  private final AtomicReference<DbJobsException> stopReason = new AtomicReference<>();
  private final List<Runnable> stopHooks = new CopyOnWriteArrayList<>();
  private volatile Progress progress = Progress.phase("starting");
  private volatile Duration leaseOverride = Duration.ZERO;
  private Thread thread;
  private boolean ended;
  private int criticalDepth;
  private String criticalStep;
  private Path workDir;

  RunningJob(
      Job job,
      Task task,
      Map<String, String> params,
      String secretHex,
      String peerName,
      AgentServices services) {
    this.job = job;
    this.task = task;
    this.params = Map.copyOf(params);
    this.secretHex = secretHex;
    this.peerName = peerName == null ? "" : peerName;
    this.services = services;
  }

  Task task() {
    return task;
  }

  /** "job 42 (optimize on db2)", for log lines and messages. */
  String label() {
    return "job " + job.id() + " (" + task + " on " + services.config().node() + ")";
  }

  Duration elapsed() {
    return Duration.ofNanos(System.nanoTime() - startNanos);
  }

  synchronized void bindThread(Thread t) {
    this.thread = t;
  }

  /**
   * The handler returned: the job's thread is no longer its own (it may run the next job), and no
   * stop request affects it any more; what remains is recording its outcome.
   */
  synchronized void end() {
    ended = true;
    thread = null;
  }

  synchronized boolean ended() {
    return ended;
  }

  Progress currentProgress() {
    return progress;
  }

  /** The lease to ask for at the next renewal. */
  Duration lease() {
    Duration base = services.config().jobs().lease();
    return leaseOverride.compareTo(base) > 0 ? leaseOverride : base;
  }

  /**
   * Asks the job to end: runs stop hooks (killing its tools) and interrupts its thread, at once or,
   * inside a critical step, when that step is done.
   */
  void requestStop(ErrorCode code, String message) {
    synchronized (this) {
      if (ended) {
        return; // its outcome is being recorded: nothing left to stop
      }
    }
    if (!stopReason.compareAndSet(null, new DbJobsException(code, message))) {
      return;
    }
    synchronized (this) {
      if (criticalDepth > 0) {
        LOG.info(
            "{}: stop requested ({}); it takes effect after '{}'", label(), message, criticalStep);
        return;
      }
    }
    stopNow();
  }

  private void stopNow() {
    LOG.info("{}: stopping: {}", label(), stopReason.get().getMessage());
    for (Runnable hook : stopHooks) {
      try {
        hook.run();
      } catch (RuntimeException e) {
        LOG.warn("{}: a stop action failed: {}", label(), DbJobsException.describe(e));
      }
    }
    synchronized (this) {
      if (thread != null) {
        thread.interrupt();
      }
    }
  }

  DbJobsException stopReason() {
    return stopReason.get();
  }

  /** Removes the job's work folder. */
  void cleanUp() {
    if (workDir == null) {
      return;
    }
    try (Stream<Path> s = Files.walk(workDir)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      LOG.warn("{}: could not remove its work folder {}: {}", label(), workDir, e.toString());
    }
  }

  @Override
  public Job job() {
    return job;
  }

  @Override
  public Map<String, String> params() {
    return params;
  }

  @Override
  public <T extends TaskParams> T params(Class<T> type) {
    if (type != task.paramsType()) {
      throw new IllegalArgumentException(
          "task "
              + task
              + " has "
              + task.paramsType().getSimpleName()
              + ", not "
              + type.getSimpleName());
    }
    return ParamsCodec.read(type, params);
  }

  @Override
  public AgentConfig config() {
    return services.config();
  }

  @Override
  public DataSource database() {
    return services.database();
  }

  @Override
  public AgentJobs jobs() {
    return services.store();
  }

  @Override
  public String streamSecret() {
    if (secretHex == null) {
      throw new DbJobsException(
          ErrorCode.BAD_PARAMETER,
          label()
              + " has no stream secret in its sealed row (the manager gives one to every job that"
              + " streams)");
    }
    return secretHex;
  }

  @Override
  public String peerName() {
    return peerName;
  }

  @Override
  public String owner() {
    return services.owner();
  }

  @Override
  public ServerProbe probe() {
    return services.probe();
  }

  @Override
  public synchronized Path workDir() {
    if (workDir == null) {
      Path dir = services.config().workDir().resolve("jobs").resolve(Long.toString(job.id()));
      try {
        workDir = Files.createDirectories(dir);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot create the job's work folder " + dir, e);
      }
    }
    return workDir;
  }

  @Override
  public void progress(String phase, long bytesDone, Long bytesTotal) {
    this.progress = new Progress(phase, bytesDone, bytesTotal);
  }

  /** Sets the lease to at least {@code atLeast}; {@link Duration#ZERO} returns to the default. */
  @Override
  public void extendLease(Duration atLeast) {
    leaseOverride = atLeast;
    try {
      services.store().renew(job.id(), services.owner(), lease(), progress);
    } catch (DbJobsException e) {
      LOG.warn(
          "{}: could not extend its lease now ({}); the next heartbeat retries",
          label(),
          e.getMessage());
    }
  }

  @Override
  public <T> T critical(String what, CriticalStep<T> step) throws Exception {
    synchronized (this) {
      criticalDepth++;
      criticalStep = what;
    }
    try {
      return step.run();
    } finally {
      boolean stopPending;
      synchronized (this) {
        criticalDepth--;
        stopPending = criticalDepth == 0 && stopReason.get() != null;
      }
      if (stopPending) {
        stopNow();
      }
    }
  }

  /** True while a critical step runs: the loop must not give up on this job then. */
  synchronized boolean inCriticalStep() {
    return criticalDepth > 0;
  }

  @Override
  public boolean isStopping() {
    return stopReason.get() != null;
  }

  @Override
  public void checkStopping() {
    DbJobsException r = stopReason.get();
    if (r != null && !inCriticalStep()) {
      throw new DbJobsException(r.code(), r.getMessage());
    }
  }

  @Override
  public RunningTool start(ToolCommand command) {
    checkStopping();
    RunningTool t = services.tools().start(command, null);
    stopHooks.add(t::kill);
    if (isStopping() && !inCriticalStep()) {
      t.kill();
      checkStopping();
    }
    return t;
  }

  @Override
  public Registration onStop(Runnable action) {
    stopHooks.add(action);
    if (isStopping()) {
      action.run();
    }
    return () -> stopHooks.remove(action);
  }
}
