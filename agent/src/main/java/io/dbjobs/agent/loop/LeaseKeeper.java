package io.dbjobs.agent.loop;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.db.SqlErrors;
import io.dbjobs.common.jobs.AgentJobs;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the leases of running jobs: every heartbeat it renews each one's lease and writes its
 * progress, one update per job. A renewal that finds the job no longer ours stops it (it was marked
 * lost or taken over); one that finds a cancel request cancels it. A job whose handler returned is
 * left alone: its outcome is being recorded, and a renewal then would only find its final row.
 */
final class LeaseKeeper implements Runnable {
  private static final Logger LOG = LoggerFactory.getLogger(LeaseKeeper.class);

  private final AgentServices services;
  private final RunningJobs running;

  LeaseKeeper(AgentServices services, RunningJobs running) {
    this.services = services;
    this.running = running;
  }

  @Override
  public void run() {
    for (RunningJob rj : running.withRows()) {
      // in a critical step (a datadir swap) the job's row may be absent for a while: its lease was
      // stretched beforehand, so skipping renewals there is safe
      if (rj.ended() || rj.isStopping() || rj.inCriticalStep()) {
        continue;
      }
      try {
        AgentJobs.LeaseStatus s =
            services
                .store()
                .renew(rj.job().id(), services.owner(), rj.lease(), rj.currentProgress());
        if (!s.held()) {
          rj.requestStop(
              ErrorCode.AGENT_LOST,
              rj.label()
                  + " is no longer this agent's: its lease was taken (it was marked lost while"
                  + " the agent could not renew it)");
        } else if (s.cancelRequested()) {
          rj.requestStop(
              ErrorCode.CANCELLED,
              "cancelled on request during phase '"
                  + rj.currentProgress().phase()
                  + "'"
                  + note(s.cancelNote()));
        }
      } catch (DbJobsException e) {
        if (SqlErrors.isConnectionLoss(e)) {
          LOG.debug("{}: lease not renewed, database unreachable: {}", rj.label(), e.getMessage());
        } else {
          LOG.warn("{}: lease not renewed: {}", rj.label(), e.getMessage());
        }
      } catch (RuntimeException e) {
        LOG.error("{}: heartbeat failed unexpectedly", rj.label(), e);
      }
    }
  }

  /**
   * The manager's note on a cancel, for the job's result and the log: read from the table, which is
   * not a trust boundary, so one line of printable text, at most 500 characters.
   */
  static String note(String cancelNote) {
    if (cancelNote == null || cancelNote.isBlank()) {
      return "";
    }
    String line = cancelNote.replaceAll("\\p{Cntrl}", " ").strip();
    return " (" + (line.length() > 500 ? line.substring(0, 500) + "..." : line) + ")";
  }
}
