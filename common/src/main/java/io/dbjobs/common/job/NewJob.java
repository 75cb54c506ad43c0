package io.dbjobs.common.job;

import java.util.Map;
import java.util.Objects;

/**
 * A job to enqueue. Submitting the same {@code idempotencyKey} twice yields one job. The table it
 * goes to seals it for its node and stores the stream secret only wrapped.
 *
 * @param server the stream peer's host (the receiver this job sends to), "" when it sends nothing
 * @param port the stream peer's port, 0 when it sends nothing
 * @param peerName the name the stream peer's TLS certificate must carry (a node name, or the
 *     manager's receiver name), "" when the job has no stream
 * @param streamSecret hex secret for the job's stream, or null when the task has no stream; it
 *     never reaches a table in clear
 */
public record NewJob(
    Task task,
    Map<String, String> params,
    String idempotencyKey,
    String server,
    int port,
    String peerName,
    String streamSecret,
    String submittedBy) {

  public NewJob {
    Objects.requireNonNull(task, "task");
    Objects.requireNonNull(idempotencyKey, "idempotencyKey");
    params = Map.copyOf(params);
    server = server == null ? "" : server;
    peerName = peerName == null ? "" : peerName;
    submittedBy = submittedBy == null ? "" : submittedBy;
  }

  public static NewJob of(Task task, Map<String, String> params, String idempotencyKey, String by) {
    return new NewJob(task, params, idempotencyKey, "", 0, "", null, by);
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
        + (peerName.isEmpty() ? "" : " (" + peerName + ")")
        + ", secret="
        + (streamSecret == null ? "none" : "****")
        + "]";
  }
}
