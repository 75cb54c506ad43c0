package io.dbjobs.agent.loop;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.auth.JobVerifier;
import io.dbjobs.common.job.Job;
import io.dbjobs.common.job.JobOutcome;
import io.dbjobs.common.job.Task;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One poll of the node's table: every queued row, oldest first, goes through the {@link JobGate}. A
 * row whose seal does not verify (or was accepted before) is refused at once (failed with
 * UNAUTHENTICATED_JOB, logged, counted) and nothing else is done with it. A verified row is
 * remembered, claimed atomically and handed to the {@link JobRunner} while there is a slot; a
 * verified row this agent cannot run (unknown task, bad parameter, a peer it may not talk to) is
 * claimed and failed with the reason. First in, first out: nothing overtakes a job that waits for a
 * slot.
 */
final class JobClaimer {
  private static final Logger LOG = LoggerFactory.getLogger(JobClaimer.class);
  private static final int POLL_BATCH = 20;

  private final AgentServices services;
  private final JobGate gate;
  private final RunningJobs running;
  private final JobRunner runner;
  private final OutcomeRecorder recorder;
  private final JobLoop.Ended ended;

  JobClaimer(
      AgentServices services,
      JobGate gate,
      RunningJobs running,
      JobRunner runner,
      OutcomeRecorder recorder,
      JobLoop.Ended ended) {
    this.services = services;
    this.gate = gate;
    this.running = running;
    this.runner = runner;
    this.recorder = recorder;
    this.ended = ended;
  }

  /**
   * Looks at the queue once.
   *
   * @param stopping asked between rows whether to stop claiming
   * @return the number of jobs started
   */
  int pollOnce(java.util.function.BooleanSupplier stopping) {
    int started = 0;
    for (Job row : services.store().queued(POLL_BATCH)) {
      if (stopping.getAsBoolean()) {
        break;
      }
      JobVerifier.Verified v;
      try {
        v = gate.verify(row);
      } catch (DbJobsException e) {
        if (e.code() != ErrorCode.UNAUTHENTICATED_JOB) {
          throw e;
        }
        refuse(row, e.getMessage());
        continue;
      }
      Optional<Task> task = Task.byName(row.task());
      boolean destructive = task.map(Task::isDestructive).orElse(false);
      if (!running.canStart(destructive)) {
        break;
      }
      JobGate.Admitted admitted = null;
      DbJobsException notRunnable = null;
      try {
        admitted = gate.admit(row, v);
      } catch (DbJobsException e) {
        if (e.code() == ErrorCode.UNAUTHENTICATED_JOB) {
          refuse(row, e.getMessage());
          continue;
        }
        notRunnable = e;
      }
      try {
        gate.remember(v, row);
      } catch (DbJobsException e) {
        if (e.code() != ErrorCode.UNAUTHENTICATED_JOB) {
          throw e;
        }
        refuse(row, e.getMessage());
        continue;
      }
      if (!services.store().claim(row.id(), services.owner(), services.config().jobs().lease())) {
        continue; // cancelled or claimed meanwhile
      }
      if (notRunnable != null) {
        LOG.warn("job {} ({}) rejected: {}", row.id(), row.task(), notRunnable.getMessage());
        recorder.record(
            "job " + row.id() + " (" + row.task() + ")",
            row.id(),
            JobOutcome.failed(notRunnable.code(), notRunnable.getMessage()));
        continue;
      }
      Job claimed = services.store().find(row.id()).orElse(row);
      RunningJob rj =
          new RunningJob(
              claimed,
              admitted.task(),
              admitted.params(),
              admitted.secretHex(),
              admitted.peerName(),
              services);
      LOG.info("{} claimed (attempt {}), params {}", rj.label(), claimed.attempts(), rj.params());
      runner.start(
          rj,
          admitted.handler(),
          (job, outcome, end) -> recorder.record(job.label(), job.job().id(), outcome),
          ended::add);
      started++;
    }
    return started;
  }

  private void refuse(Job row, String reason) {
    String message =
        "refused: "
            + reason
            + ". Nothing was done. Only jobs sealed by the dbjobs manager for this node run here"
            + " (docs/security.md).";
    services
        .metrics()
        .counter("dbjobs.agent.jobs.refused", "reason", "unauthenticated")
        .increment();
    LOG.warn(
        "job {} (task '{}', key '{}', submitted by '{}') {}",
        row.id(),
        printable(row.task()),
        printable(row.idempotencyKey()),
        printable(row.submittedBy()),
        message);
    if (!services.store().refuse(row.id(), services.owner(), message)) {
      LOG.info("job {} was no longer queued when it was to be refused", row.id());
    }
  }

  /** A value from an unauthenticated row, safe for a log line. */
  static String printable(String s) {
    if (s == null) {
      return "";
    }
    String t = s.length() > 80 ? s.substring(0, 80) + "..." : s;
    StringBuilder b = new StringBuilder(t.length());
    t.codePoints().forEach(c -> b.appendCodePoint(c < 0x20 || c == 0x7f ? '?' : c));
    return b.toString();
  }
}
