package io.dbjobs.manager.config;

import io.dbjobs.common.job.Task;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;

/**
 * One schedule of a cluster ({@code clusters[].schedules[]} in manager.yml). A cluster without a
 * {@code schedules} key gets {@link #defaultFor}: a daily physical backup at 02:00 on a replica;
 * {@code schedules: []} means none.
 *
 * @param name {@code name}, required: unique in the cluster; letters, digits, {@code .}, {@code _},
 *     {@code -}
 * @param task {@code task}, required: {@code backup-physical}, {@code backup-logical}, {@code
 *     errorlog}, {@code slowquery} or {@code optimize}
 * @param cron {@code cron}, required: a Quartz cron expression, seconds first ({@code 0 0 2 * * ?}
 *     is 02:00 every day)
 * @param node {@code node}: a node name of this cluster, {@code replica} (a replica whose
 *     replication runs, least lag first) or {@code primary}; default {@code replica} for backups,
 *     required for the other tasks
 * @param params {@code params}, default none: the task's parameters (see {@code dbjobs submit
 *     --help}); the stream's own parameters are set by the manager
 * @param timeZone {@code timeZone}, default {@code scheduler.timeZone}
 */
public record ScheduleConfig(
    String cluster,
    String name,
    Task task,
    String cron,
    String node,
    Map<String, String> params,
    ZoneId timeZone) {

  public static final String REPLICA = "replica";
  public static final String PRIMARY = "primary";

  /** The tasks a schedule may run. */
  public static final List<Task> TASKS =
      List.of(
          Task.BACKUP_PHYSICAL, Task.BACKUP_LOGICAL, Task.ERRORLOG, Task.SLOWQUERY, Task.OPTIMIZE);

  public ScheduleConfig {
    params = Map.copyOf(params);
  }

  /** {@code cluster/name}, unique across the fleet. */
  public String qualifiedName() {
    return cluster + "/" + name;
  }

  /** The schedule a cluster gets when it has no {@code schedules} key. */
  public static ScheduleConfig defaultFor(String cluster, ZoneId zone) {
    return new ScheduleConfig(
        cluster,
        "daily-physical-backup",
        Task.BACKUP_PHYSICAL,
        "0 0 2 * * ?",
        REPLICA,
        Map.of(),
        zone);
  }

  /** "prod/nightly: backup-physical on replica at '0 0 2 * * ?' (Europe/Paris)". */
  public String describe() {
    return qualifiedName()
        + ": "
        + task
        + " on "
        + node
        + " at '"
        + cron
        + "' ("
        + timeZone.getId()
        + ")"
        + (params.isEmpty() ? "" : " params=" + new java.util.TreeMap<>(params));
  }
}
