package io.dbjobs.manager.metrics;

/**
 * The daemon's meter names (Micrometer's dotted form; {@code /metrics} shows them in Prometheus
 * form: dots become underscores, counters end in {@code _total}, units are appended, e.g. {@code
 * dbjobs.stream.bytes} is {@code dbjobs_stream_bytes_total}). Renaming one breaks dashboards: add,
 * do not rename.
 */
public final class MetricNames {
  private MetricNames() {}

  // ---- fed by the watchdog
  /** Gauge, tags node, task, state: jobs in the node's table ({@code dbjobs_jobs}). */
  public static final String JOBS = "dbjobs.jobs";

  /**
   * Gauge, tag node: 1 when the last sweep reached the node's database ({@code dbjobs_node_up}).
   */
  public static final String NODE_UP = "dbjobs.node.up";

  /** Gauge, tag node: 1 when the agent's {@code /health} answered at the last sweep. */
  public static final String AGENT_UP = "dbjobs.agent.up";

  /**
   * Gauge, tag node: when the agent last answered {@code /health}, Unix seconds ({@code
   * dbjobs_agent_last_seen_timestamp_seconds}); absent until it answered once.
   */
  public static final String AGENT_LAST_SEEN = "dbjobs.agent.last.seen.timestamp";

  /** Counter, tag node: jobs the watchdog failed as "agent lost". */
  public static final String AGENT_LOST = "dbjobs.watchdog.agent.lost";

  /** Counter: watchdog sweeps done ({@code dbjobs_watchdog_sweeps_total}). */
  public static final String SWEEPS = "dbjobs.watchdog.sweeps";

  // ---- fed by the scheduler
  /** Counter, tags cluster, schedule, task: times a schedule fired on this manager. */
  public static final String SCHEDULE_FIRES = "dbjobs.schedule.fires";

  /**
   * Counter, tags cluster, schedule, task, reason: fires that enqueued nothing ({@code
   * destructive-job}, {@code no-node}, {@code node-unreachable}, {@code already-run}, {@code
   * failed}).
   */
  public static final String SCHEDULE_SKIPS = "dbjobs.schedule.skips";

  // ---- registration points for streams and backups (fed through BackupMetrics)
  /** Counter, tags node, direction (in/out), kind (backup, log, reseed): stream bytes moved. */
  public static final String STREAM_BYTES = "dbjobs.stream.bytes";

  /** Gauge, tags node, direction: current stream rate of the node's running stream. */
  public static final String STREAM_RATE = "dbjobs.stream.rate";

  /** Gauge, tags node, type (physical/logical): age of the newest good (manifested) backup. */
  public static final String BACKUP_NEWEST_AGE = "dbjobs.backup.newest.good.age";

  /** Gauge, tags node, type: 1 when the node's last backup succeeded, 0 when it failed. */
  public static final String BACKUP_LAST_RESULT = "dbjobs.backup.last.result";

  /** Gauge, tags node, type: when the node's last backup ended, Unix seconds. */
  public static final String BACKUP_LAST_END = "dbjobs.backup.last.end.timestamp";
}
