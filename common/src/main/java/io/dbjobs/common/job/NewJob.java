package io.dbjobs.common.job;

import java.util.Map;
import java.util.Objects;

/**
 * A job to enqueue. Submitting the same {@code idempotencyKey} twice yields one job.
 *
 * @param streamSecret hex secret for the job's stream, or null when the task has no stream
 */
public record NewJob(
    Task task,
    Map<String, String> params,
    String idempotencyKey,
    String server,
    int port,
    String streamSecret,
    String submittedBy) {

  public NewJob {
    Objects.requireNonNull(task, "task");
    Objects.requireNonNull(idempotencyKey, "idempotencyKey");
    params = Map.copyOf(params);
    server = server == null ? "" : server;
    submittedBy = submittedBy == null ? "" : submittedBy;
  }

  public static NewJob of(Task task, Map<String, String> params, String idempotencyKey, String by) {
    return new NewJob(task, params, idempotencyKey, "", 0, null, by);
  }

  @Override
  public String toString() {
    return "NewJob[task="
        + task
        + ", params="
        + params
        + ", key="
        + idempotencyKey
        + ", peer="
        + server
        + ":"
        + port
        + ", secret="
        + (streamSecret == null ? "none" : "****")
        + "]";
  }
}
