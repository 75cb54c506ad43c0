package io.dbjobs.manager.policy;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.job.Job;
import io.dbjobs.common.job.JobRef;
import io.dbjobs.common.job.JobState;
import io.dbjobs.common.job.Task;
import io.dbjobs.common.jobs.JobQuery;
import io.dbjobs.common.jobs.ManagerJobs;
import io.dbjobs.common.time.Backoff;
import io.dbjobs.manager.config.ManagerConfig;
import io.dbjobs.manager.fleet.JobView;
import io.dbjobs.manager.fleet.NodeConnections;
import io.dbjobs.manager.health.ClusterHealth;
import io.dbjobs.manager.health.HealthMetrics;
import io.dbjobs.manager.health.NodeHealth;
import io.dbjobs.manager.recover.Recover;
import io.dbjobs.manager.recover.RecoverOptions;
import io.dbjobs.manager.recover.RecoverPlan;
import io.dbjobs.manager.recover.RecoverPlanner;
import io.dbjobs.manager.recover.ReseedStarter;
import io.dbjobs.manager.reseed.Reseed;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The automatic policy at work in the daemon: after each health check of a cluster it asks {@link
 * AutomaticPolicy} what to do and does it through normal job rows: a {@code recover} job (or, with
 * {@code autoReseed}, a reseed) whose {@code submitted_by} says it was the automatic policy and
 * why. It follows its one job per cluster by reading its row at each check, and backs off per node:
 * after each action, the node is left alone for {@code watchdog.recoverBackoff}, doubled after each
 * further action, up to {@code watchdog.recoverBackoffMax}, until it is seen healthy.
 */
public final class PolicyRunner {
  private static final Logger LOG = LoggerFactory.getLogger(PolicyRunner.class);
  private static final List<JobState> UNFINISHED =
      List.of(JobState.QUEUED, JobState.RUNNING, JobState.WAITING_FOR_STREAM, JobState.FINISHED);

  /** The policy's job in a cluster. */
  record Tracked(
      String node, AutomaticPolicy.Action action, long jobId, JobRef ref, Instant started) {}

  private final ManagerConfig config;
  private final Recover recover;
  private final ReseedStarter reseeds;
  private final NodeConnections connections;
  private final HealthMetrics metrics;
  private final Clock clock;
  private final Map<String, Tracked> running = new ConcurrentHashMap<>();
  private final Map<String, Backoff> backoffs = new ConcurrentHashMap<>();
  private final Map<String, Instant> backoffUntil = new ConcurrentHashMap<>();
  private final Map<String, String> lastSaid = new ConcurrentHashMap<>();

  public PolicyRunner(
      ManagerConfig config,
      Recover recover,
      ReseedStarter reseeds,
      NodeConnections connections,
      HealthMetrics metrics,
      Clock clock) {
    this.config = config;
    this.recover = recover;
    this.reseeds = reseeds;
    this.connections = connections;
    this.metrics = metrics;
    this.clock = clock;
  }

  /** Called after each health check of a cluster. */
  public void afterCheck(ClusterHealth h) {
    Instant now = clock.instant();
    for (NodeHealth n : h.nodes()) {
      if (n.reachable() && n.verdict() == io.dbjobs.common.health.Verdict.HEALTHY) {
        backoffs.remove(n.node());
        backoffUntil.remove(n.node());
      }
    }
    boolean actionRunning = follow(h.cluster());
    AutomaticPolicy.Decision d =
        AutomaticPolicy.decide(
            h,
            config.cluster(h.cluster()).health().autoReseed(),
            backoffUntil,
            actionRunning,
            this::busy,
            now);
    if (d instanceof AutomaticPolicy.Skip s) {
      metrics.skipped(h.cluster(), s.reason());
      say(h.cluster(), "automatic policy: " + s.why());
    } else if (d instanceof AutomaticPolicy.Act a) {
      act(h, a, now);
    } else {
      lastSaid.remove(h.cluster());
    }
  }

  private void act(ClusterHealth h, AutomaticPolicy.Act a, Instant now) {
    NodeHealth n = a.node();
    String reason = n.diagnosis().label() + ": " + n.summary();
    String by = clip("dbjobs serve (automatic policy: " + n.node() + " " + reason + ")", 255);
    try {
      JobView job;
      if (a.action() == AutomaticPolicy.Action.RECOVER) {
        RecoverPlan p = RecoverPlanner.plan(config, h, n.node(), RecoverOptions.recoverOnly());
        if (!(p instanceof RecoverPlan.Recover r)) {
          say(h.cluster(), "automatic policy: not recovering " + n.node() + ": " + describe(p));
          return;
        }
        job = recover.submit(r, key(h.cluster(), n.node(), "recover", now), by);
      } else {
        RecoverPlan p = RecoverPlanner.plan(config, h, n.node(), new RecoverOptions(true, null));
        if (!(p instanceof RecoverPlan.Reseed r)) {
          say(h.cluster(), "automatic policy: not reseeding " + n.node() + ": " + describe(p));
          return;
        }
        job =
            reseeds.start(
                new Reseed.Request(n.node(), r.method(), null, null, null, false, null, by, false));
      }
      metrics.action(h.cluster(), n.node(), a.action().label());
      running.put(
          h.cluster(),
          new Tracked(
              job.node(),
              a.action(),
              job.job().id(),
              new JobRef(job.node(), job.job().idempotencyKey(), Task.require(job.job().task())),
              now));
      lastSaid.remove(h.cluster());
      LOG.warn(
          "automatic policy: {} {} (job {}), because it is {}",
          a.action().label(),
          n.node(),
          job.job().id(),
          reason);
    } catch (DbJobsException e) {
      metrics.result(h.cluster(), n.node(), a.action().label(), "refused");
      backOff(n.node(), now);
      LOG.warn(
          "automatic policy: could not {} {}: {}", a.action().label(), n.node(), e.getMessage());
    }
  }

  /** Reads the policy's job in the cluster; true while it has not ended. */
  private boolean follow(String cluster) {
    Tracked t = running.get(cluster);
    if (t == null) {
      return false;
    }
    Job j;
    try {
      j = connections.jobs(config.node(t.node())).find(t.ref()).orElse(null);
    } catch (DbJobsException e) {
      return true; // the node does not answer: the job may still run there
    }
    if (j != null && !j.state().isFinal()) {
      return true;
    }
    running.remove(cluster);
    Instant now = clock.instant();
    String result = j == null ? "vanished" : j.state().label();
    metrics.result(cluster, t.node(), t.action().label(), result);
    backOff(t.node(), now);
    if (j != null && j.state() == JobState.SUCCEEDED) {
      LOG.info(
          "automatic policy: {} of {} (job {}) succeeded: {}",
          t.action().label(),
          t.node(),
          t.jobId(),
          j.result());
    } else {
      LOG.warn(
          "automatic policy: {} of {} (job {}) {}: {}; next attempt not before {}",
          t.action().label(),
          t.node(),
          t.jobId(),
          result,
          j == null ? "the row is gone" : j.errorCode() + " " + j.result(),
          backoffUntil.get(t.node()));
    }
    return false;
  }

  private void backOff(String node, Instant now) {
    Backoff b =
        backoffs.computeIfAbsent(
            node,
            k ->
                new Backoff(
                    config.watchdog().recoverBackoff(), config.watchdog().recoverBackoffMax()));
    Duration wait = b.nextDelay();
    backoffUntil.put(node, now.plus(wait));
  }

  /** True when the node has an unfinished job the policy must not run beside. */
  private boolean busy(String node) {
    ManagerJobs dao = connections.jobs(config.node(node));
    for (JobState st : UNFINISHED) {
      for (Job j : dao.list(new JobQuery(st, null, null, 200))) {
        boolean recoverJob = Task.RECOVER.wireName().equals(j.task());
        if (recoverJob || j.knownTask().map(Task::isDestructive).orElse(false)) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * The job's idempotency key: the same for every manager within one back-off period, so two
   * managers of a clustered setup that decide the same at the same time enqueue one job.
   */
  private String key(String cluster, String node, String action, Instant now) {
    long period = Math.max(1, config.watchdog().recoverBackoff().toMillis());
    return clip(
        "auto-" + action + ":" + cluster + ":" + node + ":" + now.toEpochMilli() / period, 191);
  }

  private void say(String cluster, String message) {
    if (!message.equals(lastSaid.put(cluster, message))) {
      LOG.info("{}", message);
    }
  }

  private static String describe(RecoverPlan p) {
    if (p instanceof RecoverPlan.Refuse r) {
      return r.message();
    }
    if (p instanceof RecoverPlan.Reseed r) {
      return "it needs a reseed: " + r.why();
    }
    return "it can be recovered";
  }

  private static String clip(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max - 3) + "...";
  }
}
