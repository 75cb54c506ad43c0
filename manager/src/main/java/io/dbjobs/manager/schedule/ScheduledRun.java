package io.dbjobs.manager.schedule;

import io.dbjobs.common.job.Task;
import java.time.Instant;
import java.util.Map;

/**
 * One run of a schedule, as handed to {@link ScheduledBackups} or {@link ScheduledLogs}.
 *
 * @param node the node chosen to run it (for {@code replica}: a healthy replica, least lag first;
 *     never one under a destructive job)
 * @param params the schedule's parameters (the stream's own, e.g. {@code stream-id}, are the
 *     implementation's to add)
 * @param slot the cron time this run is for (for a late or caught-up fire: the missed time)
 * @param manual true for {@code POST /v1/schedules/{cluster}/{name}/run}
 * @param idempotencyKey the key the run's job on {@code node} must carry: it is how a retry, a
 *     catch-up or a second manager finds the run already enqueued and adds nothing
 * @param submittedBy for the job's {@code submitted_by}
 */
public record ScheduledRun(
    String cluster,
    String schedule,
    Task task,
    String node,
    Map<String, String> params,
    Instant slot,
    boolean manual,
    String idempotencyKey,
    String submittedBy) {

  public ScheduledRun {
    params = Map.copyOf(params);
  }

  /** {@code physical} or {@code logical} for backup tasks; null otherwise. */
  public String backupType() {
    return switch (task) {
      case BACKUP_PHYSICAL -> "physical";
      case BACKUP_LOGICAL -> "logical";
      default -> null;
    };
  }
}
