package io.dbjobs.agent.loop;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.db.SqlErrors;
import io.dbjobs.common.jobs.JobsDao;
import java.util.Collection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Renews the lease of every running job and writes its progress, one update per job per beat. A
 * renewal that finds the job no longer ours stops it (it was marked lost or taken over); one that
 * finds a cancel request cancels it.
 */
final class Heartbeat implements Runnable {
  private static final Logger LOG = LoggerFactory.getLogger(Heartbeat.class);

  private final AgentServices services;
  private final Collection<RunningJob> running;

  Heartbeat(AgentServices services, Collection<RunningJob> running) {
    this.services = services;
    this.running = running;
  }

  @Override
  public void run() {
    for (RunningJob rj : running) {
      // in a critical step (a datadir swap) the job's row may be absent for a while: its lease was
      // stretched beforehand, so skipping renewals there is safe
      if (rj.isStopping() || rj.inCriticalStep()) {
        continue;
      }
      try {
        JobsDao.LeaseStatus s =
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
              "cancelled on request during phase '" + rj.currentProgress().phase() + "'");
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
}
