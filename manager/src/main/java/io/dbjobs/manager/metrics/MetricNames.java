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
   * failed}, {@code maintenance}, {@code shunned}).
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

  // ---- fed by the health monitor and the automatic policy (HealthMetrics)
  /**
   * Gauge, tags cluster, node, diagnosis: 1 for the node's current replication diagnosis, 0 for
   * every other one ({@code dbjobs_node_health}).
   */
  public static final String NODE_HEALTH = "dbjobs.node.health";

  /**
   * Gauge, tags cluster, node: how far the node's cluster connection is behind, seconds ({@code
   * dbjobs_node_replication_lag_seconds}); NaN when unknown (a thread stopped, or the primary).
   */
  public static final String NODE_LAG = "dbjobs.node.replication.lag";

  /**
   * Gauge, tags cluster, node: GTIDs (MariaDB) or transactions (MySQL) the node has and the primary
   * never had ({@code dbjobs_node_errant_gtids}).
   */
  public static final String NODE_ERRANT = "dbjobs.node.errant.gtids";

  /** Gauge, tags cluster, node: 1 while the node is shunned ({@code dbjobs_node_shunned}). */
  public static final String NODE_SHUNNED = "dbjobs.node.shunned";

  /**
   * Gauge, tag cluster: nodes that look like the primary (writable, replicating from no node of the
   * cluster); 1 is healthy ({@code dbjobs_cluster_primaries}).
   */
  public static final String CLUSTER_PRIMARIES = "dbjobs.cluster.primaries";

  /**
   * Gauge, tags cluster, policy: 1 for the cluster's effective policy, 0 for the others ({@code
   * dbjobs_cluster_policy}).
   */
  public static final String CLUSTER_POLICY = "dbjobs.cluster.policy";

  /** Counter: health checks of every cluster ({@code dbjobs_health_checks_total}). */
  public static final String HEALTH_CHECKS = "dbjobs.health.checks";

  /**
   * Counter, tags cluster, node, action (recover, reseed): jobs the automatic policy started
   * ({@code dbjobs_policy_actions_total}).
   */
  public static final String POLICY_ACTIONS = "dbjobs.policy.actions";

  /**
   * Counter, tags cluster, node, action, result (succeeded, failed, cancelled, refused): how the
   * automatic policy's jobs ended ({@code dbjobs_policy_action_results_total}).
   */
  public static final String POLICY_RESULTS = "dbjobs.policy.action.results";

  /**
   * Counter, tags cluster, reason: health checks after which the policy did nothing although a node
   * needed it ({@code maintenance}, {@code manual}, {@code shunned}, {@code backoff}, {@code busy},
   * {@code needs-reseed}, {@code no-primary}) ({@code dbjobs_policy_skips_total}).
   */
  public static final String POLICY_SKIPS = "dbjobs.policy.skips";
}
