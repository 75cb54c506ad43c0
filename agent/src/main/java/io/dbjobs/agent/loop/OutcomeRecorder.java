package io.dbjobs.agent.loop;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.db.SqlErrors;
import io.dbjobs.common.job.JobOutcome;
import io.dbjobs.common.job.NewJob;
import io.dbjobs.common.jobs.AgentJobs;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes job outcomes into the jobs table, or keeps them in the {@link Outbox} while the database
 * cannot be reached (written at the next poll that reaches it, even after a restart).
 */
final class OutcomeRecorder {
  private static final Logger LOG = LoggerFactory.getLogger(OutcomeRecorder.class);

  private final AgentJobs store;
  private final Outbox outbox;
  private final String owner;

  OutcomeRecorder(AgentJobs store, Outbox outbox, String owner) {
    this.store = store;
    this.outbox = outbox;
    this.owner = owner;
  }

  /** Records the outcome of a job that has a row. */
  void record(String label, long jobId, JobOutcome o) {
    try {
      if (!store.finish(jobId, owner, o, false)) {
        LOG.warn(
            "{}: outcome {} not recorded: the job is no longer this agent's (marked lost or"
                + " taken over while it ran)",
            label,
            o.state());
      }
    } catch (DbJobsException e) {
      if (!SqlErrors.isConnectionLoss(e)) {
        LOG.error("{}: cannot record its outcome {}: {}", label, o.state(), e.getMessage());
        return;
      }
      outbox.keep(jobId, owner, o);
      LOG.info(
          "{}: database unreachable; outcome {} kept in the outbox until it answers again",
          label,
          o.state());
    }
  }

  /**
   * Keeps the outcome of a job that ran without a row; its row is written once the database
   * answers.
   */
  void recordWithoutRow(NewJob job, String seal, Instant started, Instant ended, JobOutcome o) {
    outbox.keepNew(job, seal, owner, started, ended, o);
  }

  /** Keeps an outcome to write once the database answers (e.g. of a job settled at start). */
  void keep(long jobId, String jobOwner, JobOutcome o) {
    outbox.keep(jobId, jobOwner, o);
  }

  /** Writes what the outbox holds; throws when the database still does not answer. */
  void flush() {
    outbox.flush(store);
  }

  int kept() {
    return outbox.count();
  }
}
