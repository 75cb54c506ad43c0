package io.dbjobs.manager.schedule;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.job.Job;
import io.dbjobs.common.job.JobRef;
import io.dbjobs.common.job.Task;
import io.dbjobs.manager.config.ManagerConfig;
import io.dbjobs.manager.config.NodeConfig;
import io.dbjobs.manager.config.ScheduleConfig;
import io.dbjobs.manager.fleet.Fleet;
import io.dbjobs.manager.fleet.NodeConnections;
import io.dbjobs.manager.metrics.DaemonMetrics;
import io.dbjobs.manager.policy.EffectivePolicy;
import io.dbjobs.manager.state.OperatorStates;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.text.ParseException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.Optional;
import java.util.TimeZone;
import org.quartz.CronExpression;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a schedule's fire does: works out the cron time it is for and the run's idempotency key,
 * does nothing while the cluster's policy is {@code maintenance} (a manual run still runs) or if a
 * job with that key exists on any node of the cluster (the run happened: a catch-up after a
 * restart, a recovered fire, a second manager), picks the node (never a shunned one, {@link
 * NodePicker}), and enqueues: {@code optimize} through the fleet, backups through {@link
 * ScheduledBackups}, logs through {@link ScheduledLogs}. Every outcome is logged and counted; a
 * fire never throws.
 */
public final class ScheduleRunner {
  private static final Logger LOG = LoggerFactory.getLogger(ScheduleRunner.class);
  private static final DateTimeFormatter KEY_TIME =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
  private static final int KEY_MAX = 191;

  private final ManagerConfig config;
  private final Fleet fleet;
  private final NodeConnections connections;
  private final NodePicker picker;
  private final ScheduledBackups backups;
  private final ScheduledLogs logs;
  private final DaemonMetrics metrics;

  public ScheduleRunner(
      ManagerConfig config,
      Fleet fleet,
      NodeConnections connections,
      ScheduledBackups backups,
      ScheduledLogs logs,
      DaemonMetrics metrics) {
    this.config = config;
    this.fleet = fleet;
    this.connections = connections;
    this.picker = new NodePicker(config, connections);
    this.backups = backups;
    this.logs = logs;
    this.metrics = metrics;
  }

  /** One fire, as Quartz reports it. */
  record Fire(
      String cluster,
      String schedule,
      Instant scheduledFireTime,
      Instant fireTime,
      boolean manual,
      boolean recovering,
      String instance) {}

  void fire(Fire f) {
    Optional<ScheduleConfig> found =
        config.schedules(f.cluster()).stream()
            .filter(s -> s.name().equals(f.schedule()))
            .findFirst();
    if (found.isEmpty()) {
      LOG.warn(
          "schedule {}/{} fired but is no longer in {}; ignored",
          f.cluster(),
          f.schedule(),
          config.source());
      return;
    }
    ScheduleConfig s = found.get();
    Instant slot = f.manual() ? f.fireTime() : slot(s, f.scheduledFireTime());
    String key = idempotencyKey(s, slot, f.manual());
    metrics.scheduleFired(s.cluster(), s.name(), s.task().wireName());
    LOG.info(
        "schedule {} {} for {} on instance {} ({}, key {})",
        s.qualifiedName(),
        f.recovering() ? "re-fired (recovering a lost manager's fire)" : "fired",
        f.manual() ? "a manual run at " + slot : slot,
        f.instance(),
        s.task(),
        key);
    try {
      if (!f.manual()) {
        EffectivePolicy p =
            EffectivePolicy.of(config, OperatorStates.of(config).policies(), s.cluster());
        if (p.policy() == io.dbjobs.manager.config.ClusterPolicy.MAINTENANCE) {
          LOG.warn(
              "schedule {} ({} on {}) skipped for {}: cluster {} is in maintenance ({})",
              s.qualifiedName(),
              s.task(),
              s.node(),
              slot,
              s.cluster(),
              p.source(java.time.Instant.now()));
          skip(s, "maintenance");
          return;
        }
      }
      Optional<String> existing = existingRun(s, key);
      if (existing.isPresent()) {
        LOG.info(
            "schedule {}: the run for {} exists already ({}); nothing enqueued",
            s.qualifiedName(),
            slot,
            existing.get());
        skip(s, "already-run");
        return;
      }
      NodePicker.Choice c = picker.pick(s);
      if (c.node() == null) {
        java.util.List<String> others =
            c.passedOver().stream().filter(l -> !l.equals(c.why())).toList();
        LOG.warn(
            "schedule {} ({} on {}) skipped for {}: {}{}",
            s.qualifiedName(),
            s.task(),
            s.node(),
            slot,
            c.why(),
            others.isEmpty() ? "" : "; considered: " + String.join("; ", others));
        skip(s, c.reason());
        return;
      }
      if (!c.passedOver().isEmpty()) {
        LOG.info(
            "schedule {}: passed over {}", s.qualifiedName(), String.join("; ", c.passedOver()));
      }
      dispatch(s, c.node(), slot, f.manual(), key);
    } catch (DbJobsException e) {
      LOG.warn(
          "schedule {} ({}) for {} enqueued nothing: {}",
          s.qualifiedName(),
          s.task(),
          slot,
          e.getMessage());
      skip(s, "failed");
    } catch (RuntimeException e) {
      LOG.error(
          "schedule {} ({}) for {} failed: {}",
          s.qualifiedName(),
          s.task(),
          slot,
          DbJobsException.describe(e),
          e);
      skip(s, "failed");
    }
  }

  private void dispatch(
      ScheduleConfig s, NodeConfig node, Instant slot, boolean manual, String key) {
    String by = "dbjobs serve (schedule " + s.qualifiedName() + ")";
    ScheduledRun run =
        new ScheduledRun(
            s.cluster(), s.name(), s.task(), node.name(), s.params(), slot, manual, key, by);
    switch (s.task()) {
      case OPTIMIZE -> {
        Fleet.Submitted sub =
            fleet.submit(new Fleet.SubmitRequest(node.name(), Task.OPTIMIZE, s.params(), key, by));
        if (!sub.created()) {
          LOG.info(
              "schedule {}: job {} on {} exists already for {}; not enqueued again",
              s.qualifiedName(),
              sub.job().job().id(),
              node.name(),
              slot);
          skip(s, "already-run");
          return;
        }
        LOG.info(
            "schedule {}: job {} queued on {}: {} {}",
            s.qualifiedName(),
            sub.job().job().id(),
            node.name(),
            s.task(),
            sub.job().job().paramsJson());
      }
      case BACKUP_PHYSICAL, BACKUP_LOGICAL -> {
        backups.backup(run);
        LOG.info("schedule {}: {} handed over for {}", s.qualifiedName(), s.task(), node.name());
      }
      case ERRORLOG, SLOWQUERY -> {
        logs.collect(run);
        LOG.info("schedule {}: {} handed over for {}", s.qualifiedName(), s.task(), node.name());
      }
      default -> throw new IllegalStateException("task " + s.task() + " cannot be scheduled");
    }
  }

  /** A job on any node of the cluster that carries this key, described; empty when none. */
  private Optional<String> existingRun(ScheduleConfig s, String key) {
    for (NodeConfig n : config.cluster(s.cluster()).nodes()) {
      try {
        Optional<Job> j = connections.jobs(n).find(new JobRef(n.name(), key, s.task()));
        if (j.isPresent()) {
          return Optional.of(
              "job " + j.get().id() + " on " + n.name() + ", " + j.get().state().label());
        }
      } catch (DbJobsException e) {
        // an unreachable node holds no run we could see; the insert's own key check remains
        LOG.debug("{}: cannot look up key {}: {}", n.name(), key, e.getMessage());
      }
    }
    return Optional.empty();
  }

  private void skip(ScheduleConfig s, String reason) {
    metrics.scheduleSkipped(s.cluster(), s.name(), s.task().wireName(), reason);
  }

  /** The cron time a fire is for: the latest at or before its scheduled time. */
  static Instant slot(ScheduleConfig s, Instant scheduled) {
    try {
      CronExpression cron = new CronExpression(s.cron());
      cron.setTimeZone(TimeZone.getTimeZone(s.timeZone()));
      Instant slot = CronSlots.latestAtOrBefore(cron, scheduled);
      return slot == null ? scheduled : slot;
    } catch (ParseException e) {
      return scheduled; // validated at config load; cannot happen
    }
  }

  /**
   * {@code schedule:<cluster>:<name>:<yyyyMMddTHHmmssZ>} (manual runs: {@code ...:run-<millis>}),
   * shortened with a digest if it would not fit the key column.
   */
  static String idempotencyKey(ScheduleConfig s, Instant slot, boolean manual) {
    String key =
        "schedule:"
            + s.cluster()
            + ":"
            + s.name()
            + ":"
            + (manual ? "run-" + slot.toEpochMilli() : KEY_TIME.format(slot));
    if (key.length() <= KEY_MAX) {
      return key;
    }
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
      return key.substring(0, KEY_MAX - 41) + "~" + HexFormat.of().formatHex(d).substring(0, 40);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
