package io.dbjobs.common.agentapi;

import java.util.Map;

/**
 * The agent's HTTP endpoint as the manager calls it: paths and the JSON shapes exchanged. Every
 * path but {@link #HEALTH} needs {@code Authorization: Bearer <token>} (the cluster's agent token).
 */
public final class AgentApi {
  /** {@code GET}: unauthenticated liveness and whether the agent reaches its database. */
  public static final String HEALTH = "/health";

  /** {@code GET}: Prometheus metrics. */
  public static final String METRICS = "/metrics";

  /**
   * {@code POST} a {@link SubmitBody}: while the node's database does not answer, runs a {@code
   * start} job sealed by the manager for this node right away (its row is written once the server
   * answers). Any other task, or any task while the database answers, goes through the jobs table
   * and is refused here.
   */
  public static final String JOBS = "/v1/jobs";

  /** {@code GET /v1/jobs/by-key/<key>}: a job submitted through the agent, by idempotency key. */
  public static final String JOBS_BY_KEY = "/v1/jobs/by-key/";

  /**
   * {@code GET}: facts the manager needs before it plans work on this node, measured on the node
   * ({@link Facts}).
   */
  public static final String FACTS = "/v1/facts";

  /**
   * {@code POST}, no body: the agent reads its jobs table now instead of at its next poll. The
   * manager calls it right after an enqueue; it carries no job and no authority (every row is
   * verified as always), and a failed call only means the job waits for the next poll.
   */
  public static final String WAKE = "/v1/wake";

  private AgentApi() {}

  /**
   * What the node measured.
   *
   * @param datadirBytes the bytes a physical backup of this node streams (its datadir's files but
   *     binary, relay and redo logs), or -1 when the datadir cannot be read
   * @param datadir the datadir measured
   */
  public record Facts(long datadirBytes, String datadir) {}

  /**
   * A job submitted through the agent.
   *
   * @param seal the manager's seal over the job for this node, made with id 0 (it has no row)
   */
  public record SubmitBody(
      String task,
      Map<String, String> params,
      String idempotencyKey,
      String submittedBy,
      String seal) {}

  /**
   * What the agent says about a submitted job.
   *
   * @param id the row id, 0 while the job has no row yet (the database was down)
   * @param state a job state label (queued, running, succeeded, failed...)
   */
  public record JobStatus(
      long id,
      String idempotencyKey,
      String task,
      String state,
      String phase,
      String result,
      String errorCode,
      Long startedEpochMillis,
      Long endedEpochMillis) {}

  /** The health document. */
  public record Health(
      String node,
      String owner,
      String version,
      boolean databaseUp,
      int runningJobs,
      int keptOutcomes,
      java.util.List<String> jobKeys) {}

  /**
   * An error document ({@link io.dbjobs.common.http.HttpErrors}).
   *
   * @param error what went wrong
   * @param code an {@link io.dbjobs.common.ErrorCode} name, or {@code UNAUTHORIZED}; null from
   *     agents older than this field
   */
  public record Error(String error, String code) {
    public Error(String error) {
      this(error, null);
    }
  }
}
