package io.dbjobs.manager.watch;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.job.Job;
import io.dbjobs.common.job.JobState;
import io.dbjobs.common.jobs.JobQuery;
import io.dbjobs.common.jobs.ManagerJobs;
import io.dbjobs.common.time.Durations;
import io.dbjobs.manager.config.NodeConfig;
import io.dbjobs.manager.fleet.NodeConnections;
import io.dbjobs.manager.metrics.DaemonMetrics;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The watchdog's view of one node: the jobs it follows (not yet ended), the newest id it has seen,
 * and whether the node is in an outage (logged once when it starts and once when it ends). One
 * sweep at a time.
 */
final class NodeWatch {
  private static final Logger LOG = LoggerFactory.getLogger(Watchdog.class);
  private static final int BASELINE = 200;
  private static final int NEW_PER_SWEEP = 500;
  private static final int RESULT_CHARS = 300;

  private final NodeConfig node;
  private final Map<Long, JobState> following = new HashMap<>();
  private final Map<Long, String> keys = new HashMap<>();
  private long newestId = -1;
  private String outage;
  private Instant outageSince;

  NodeWatch(NodeConfig node) {
    this.node = node;
  }

  NodeConfig node() {
    return node;
  }

  /** True while the node is in an outage the watchdog logged. */
  synchronized boolean down() {
    return outage != null;
  }

  /** One sweep of the node's table; an unreachable node is logged once per outage. */
  synchronized void sweep(
      NodeConnections connections, String observer, DaemonMetrics metrics, Instant now) {
    try {
      ManagerJobs dao = connections.jobs(node);
      int lost = dao.failLostAgents(observer);
      if (lost > 0) {
        metrics.agentLost(node.name(), lost);
        LOG.warn(
            "{}: {} job{} failed as agent lost (lease expired, nobody renewed it)",
            node.name(),
            lost,
            lost == 1 ? "" : "s");
      }
      follow(dao);
      metrics.jobCounts(node.name(), JobCensus.count(connections.pool(node), node.describe()));
      metrics.nodeUp(node.name(), true);
      if (outage != null) {
        LOG.info(
            "{} answers again after {} unreachable",
            node.describe(),
            Durations.human(Duration.between(outageSince, now)));
        outage = null;
      }
    } catch (DbJobsException | IllegalStateException e) {
      metrics.nodeUp(node.name(), false);
      String why = e.getMessage();
      if (outage == null) {
        outage = why;
        outageSince = now;
        LOG.warn("watchdog cannot sweep {}: {} (logged once until it answers)", node.name(), why);
      }
    }
  }

  private void follow(ManagerJobs dao) {
    if (newestId < 0) {
      List<Job> recent = dao.list(JobQuery.latest(BASELINE));
      newestId = recent.stream().mapToLong(Job::id).max().orElse(0);
      recent.stream()
          .filter(j -> !j.state().isFinal())
          .forEach(
              j -> {
                following.put(j.id(), j.state());
                keys.put(j.id(), j.idempotencyKey());
              });
      if (!following.isEmpty()) {
        LOG.info(
            "{}: following {} job{} not yet ended: {}",
            node.name(),
            following.size(),
            following.size() == 1 ? "" : "s",
            following);
      }
      return;
    }
    for (Iterator<Map.Entry<Long, JobState>> it = following.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<Long, JobState> e = it.next();
      String key = keys.get(e.getKey());
      // the same id in a table restored from another node's copy is another job: match the key
      Optional<Job> now = dao.findById(e.getKey()).filter(j -> j.idempotencyKey().equals(key));
      if (now.isEmpty()) {
        keys.remove(e.getKey());
        it.remove();
        continue;
      }
      Job j = now.get();
      if (j.state() != e.getValue()) {
        changed(j, e.getValue());
        if (j.state().isFinal()) {
          it.remove();
          keys.remove(e.getKey());
        } else {
          e.setValue(j.state());
        }
      }
    }
    for (Job j : dao.list(new JobQuery(null, null, newestId, NEW_PER_SWEEP))) {
      newestId = Math.max(newestId, j.id());
      changed(j, null);
      if (!j.state().isFinal()) {
        following.put(j.id(), j.state());
        keys.put(j.id(), j.idempotencyKey());
      }
    }
  }

  private void changed(Job j, JobState before) {
    String what = "job " + j.id() + " on " + node.name() + " (" + j.task() + ")";
    if (!j.state().isFinal()) {
      if (before == null) {
        LOG.info("{} {}, submitted by {}", what, j.state().label(), j.submittedBy());
      } else {
        LOG.info("{}: {} -> {}", what, before.label(), j.state().label());
      }
      return;
    }
    String took =
        j.started() == null || j.ended() == null
            ? ""
            : " after " + Durations.human(Duration.between(j.started(), j.ended()));
    String result = j.result() == null ? "" : ": " + firstLine(j.result());
    if (j.state() == JobState.SUCCEEDED) {
      LOG.info("{} succeeded{}{}", what, took, result);
    } else {
      LOG.warn(
          "{} {}{}{}{}",
          what,
          j.state().label(),
          took,
          j.errorCode() == null ? "" : " (" + j.errorCode() + ")",
          result);
    }
  }

  private static String firstLine(String s) {
    String l = s.lines().findFirst().orElse("");
    return l.length() > RESULT_CHARS ? l.substring(0, RESULT_CHARS) + "..." : l;
  }
}
