package io.dbjobs.agent.loop;

import io.dbjobs.agent.task.TaskHandler;
import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.agentapi.AgentApi;
import io.dbjobs.common.job.JobOutcome;
import io.dbjobs.common.job.JobState;
import io.dbjobs.common.time.Durations;
import java.time.Instant;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Runs admitted jobs, each on a worker thread, the same way whether it has a row or not: the
 * handler runs; its thread is unbound from the job before anything is recorded (so a late stop
 * request can never interrupt the next job on that thread); the final outcome is worked out, the
 * job's folder removed, the outcome reported and recorded; only then does the job free its slot.
 */
final class JobRunner {
  private static final Logger LOG = LoggerFactory.getLogger(JobRunner.class);

  /** Where an outcome goes: the job's row, or the outbox of a job without a row. */
  interface Recording {
    void record(RunningJob rj, JobOutcome outcome, Instant ended);
  }

  private final AgentServices services;
  private final RunningJobs running;
  private final Executor workers;

  JobRunner(AgentServices services, RunningJobs running, Executor workers) {
    this.services = services;
    this.running = running;
    this.workers = workers;
  }

  /**
   * Takes a slot for {@code rj} and runs it on a worker.
   *
   * @param ended told the job's status once its outcome is recorded
   */
  void start(
      RunningJob rj, TaskHandler handler, Recording recording, Consumer<AgentApi.JobStatus> ended) {
    running.add(rj);
    try {
      workers.execute(() -> run(rj, handler, recording, ended));
    } catch (RuntimeException e) {
      running.remove(rj);
      throw new DbJobsException(
          ErrorCode.INTERNAL, rj.label() + " could not be started on a worker: " + e, e);
    }
  }

  private void run(
      RunningJob rj, TaskHandler handler, Recording recording, Consumer<AgentApi.JobStatus> ended) {
    Thread me = Thread.currentThread();
    String name = me.getName();
    me.setName("job-" + rj.job().id() + "-" + rj.task());
    MDC.put("job", Long.toString(rj.job().id()));
    rj.bindThread(me);
    JobOutcome outcome = null;
    Throwable failure = null;
    try {
      outcome = handler.run(rj);
    } catch (Throwable t) {
      failure = t;
    } finally {
      rj.end();
      Thread.interrupted(); // a stop request may have interrupted us; recording must not be
    }
    try {
      JobOutcome o = finalOutcome(rj, outcome, failure).withProgress(rj.currentProgress());
      rj.cleanUp();
      report(rj, o);
      Instant end = Instant.now();
      recording.record(rj, o, end);
      ended.accept(status(rj, o, end));
    } catch (RuntimeException e) {
      LOG.error("{}: recording its end failed unexpectedly", rj.label(), e);
    } finally {
      running.remove(rj);
      MDC.remove("job");
      me.setName(name);
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

  static AgentApi.JobStatus status(RunningJob rj, JobOutcome o, Instant ended) {
    return new AgentApi.JobStatus(
        rj.job().id(),
        rj.job().idempotencyKey(),
        rj.task().wireName(),
        o.state().label(),
        o.state() == JobState.SUCCEEDED ? "done" : o.state().label(),
        o.result(),
        o.errorCode() == null ? null : o.errorCode().name(),
        rj.job().started() == null ? null : rj.job().started().toEpochMilli(),
        ended.toEpochMilli());
  }
}
