package io.dbjobs.agent.task.reseed;

import io.dbjobs.agent.AgentConfig;
import io.dbjobs.agent.task.JobContext;
import io.dbjobs.agent.task.ServerProbe;
import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.job.Job;
import io.dbjobs.common.job.JobState;
import io.dbjobs.common.job.Progress;
import io.dbjobs.common.jobs.AgentJobs;
import io.dbjobs.common.tool.RunningTool;
import io.dbjobs.common.tool.ToolCommand;
import io.dbjobs.common.tool.ToolRunner;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The context a start-time settle runs the reseed's own steps in (stop, start, verify, reposition,
 * catch up) for a job whose agent died: no claim, no heartbeat thread, nothing to cancel. Phases
 * are logged and, at most once per heartbeat interval, written to the job's row with a renewed
 * lease in the dead agent's name (the row's lease owner), while the row is reachable.
 */
final class SettleContext implements JobContext {
  private static final Logger LOG = LoggerFactory.getLogger(SettleContext.class);

  private final Job job;
  private final AgentConfig config;
  private final DataSource database;
  private final AgentJobs jobs;
  private final ServerProbe probe;
  private final ToolRunner tools;
  private String lastPhase = "";
  private long lastRenewNanos;

  SettleContext(
      long jobId,
      String task,
      String owner,
      AgentConfig config,
      DataSource database,
      AgentJobs jobs,
      ServerProbe probe,
      ToolRunner tools) {
    this.job =
        new Job(
            jobId,
            task,
            JobState.RUNNING,
            "settle-" + jobId,
            "{}",
            "",
            0,
            1,
            owner,
            null,
            false,
            "settling",
            0,
            null,
            null,
            null,
            null,
            "",
            null,
            null,
            null,
            null,
            false,
            null);
    this.config = config;
    this.database = database;
    this.jobs = jobs;
    this.probe = probe;
    this.tools = tools;
  }

  @Override
  public Job job() {
    return job;
  }

  @Override
  public Map<String, String> params() {
    return Map.of();
  }

  @Override
  public <T extends io.dbjobs.common.job.params.TaskParams> T params(Class<T> type) {
    throw new UnsupportedOperationException("a settle reads its plan from the journal, not params");
  }

  @Override
  public String streamSecret() {
    throw new UnsupportedOperationException("a settle receives no stream");
  }

  @Override
  public String peerName() {
    return "";
  }

  @Override
  public AgentConfig config() {
    return config;
  }

  @Override
  public DataSource database() {
    return database;
  }

  @Override
  public AgentJobs jobs() {
    return jobs;
  }

  @Override
  public String owner() {
    return job.leaseOwner();
  }

  @Override
  public ServerProbe probe() {
    return probe;
  }

  @Override
  public Path workDir() {
    throw new UnsupportedOperationException("a settle has no job work folder");
  }

  @Override
  public void progress(String phase, long bytesDone, Long bytesTotal) {
    String p = "settling after restart: " + phase;
    if (!p.equals(lastPhase)) {
      LOG.info("job {}: {}", job.id(), p);
      lastPhase = p;
    }
    long now = System.nanoTime();
    if (now - lastRenewNanos < config.jobs().heartbeat().toNanos()) {
      return;
    }
    lastRenewNanos = now;
    try {
      if (probe.answers()) {
        // as long as a handler's lease across a swap: a settle has no heartbeat between phases
        jobs.renew(
            job.id(),
            job.leaseOwner(),
            config.service().timeout().multipliedBy(2).plusMinutes(10),
            new Progress(p, bytesDone, bytesTotal));
      }
    } catch (DbJobsException e) {
      LOG.info(
          "job {}: its row cannot be updated now ({}); settling goes on", job.id(), e.getMessage());
    }
  }

  @Override
  public void extendLease(Duration atLeast) {
    // nothing renews this lease but the phases above; the outcome overrides an expired one
  }

  @Override
  public <T> T critical(String what, CriticalStep<T> step) throws Exception {
    return step.run();
  }

  @Override
  public boolean isStopping() {
    return false;
  }

  @Override
  public void checkStopping() {
    // a settle runs before the agent takes any stop request
  }

  @Override
  public RunningTool start(ToolCommand command) {
    return tools.start(command, null);
  }

  @Override
  public Registration onStop(Runnable action) {
    return () -> {};
  }
}
