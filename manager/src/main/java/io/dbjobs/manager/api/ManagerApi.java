package io.dbjobs.manager.api;

import io.dbjobs.common.job.Job;
import io.dbjobs.common.job.JobParams;
import io.dbjobs.common.job.JobRef;
import io.dbjobs.common.job.JobState;
import io.dbjobs.common.job.RowSeal;
import io.dbjobs.manager.fleet.JobView;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The manager daemon's HTTP API as clients see it: paths and JSON documents. Every path but {@link
 * #HEALTH} needs {@code Authorization: Bearer <api.token>}. Errors are an {@link ErrorDoc} whose
 * {@code code} is an {@link io.dbjobs.common.ErrorCode} name; 401 means a missing or wrong token.
 * Documents may gain fields; clients ignore fields they do not know.
 *
 * <pre>
 * GET  /health                           HealthDoc (no token)
 * GET  /metrics                          Prometheus text
 * GET  /v1/nodes                         [NodeStatus]
 * GET  /v1/jobs?node=&state=&task=&limit= JobListDoc, newest first
 * POST /v1/jobs                          SubmitBody -> SubmittedDoc (201 created, 200 existing)
 * GET  /v1/jobs/{node}/{id}              JobDoc
 * GET  /v1/jobs/{node}/by-key/{key}?task=T   JobDoc
 * POST /v1/jobs/{node}/{id}/cancel       CancelBody (optional) -> CancelDoc
 * GET  /v1/schedules                     [ScheduleDoc]
 * POST /v1/schedules/{cluster}/{name}/run  202, fires the schedule now
 * </pre>
 *
 * <p>Health, recover, shun, welcome and policies: {@link
 * io.dbjobs.manager.operations.OperationsApi}.
 */
public final class ManagerApi {
  public static final String HEALTH = "/health";
  public static final String METRICS = "/metrics";
  public static final String NODES = "/v1/nodes";
  public static final String JOBS = "/v1/jobs";
  public static final String SCHEDULES = "/v1/schedules";

  /** {@code GET}: the catalog's backups ({@code ?node=}); {@code POST} a {@link BackupBody}. */
  public static final String BACKUPS = "/v1/backups";

  /** {@code POST} a {@link LogsBody}: collect a node's error or slow query log. */
  public static final String LOGS = "/v1/logs";

  /** {@code POST} a {@link ReseedBody}: reseed (or flash back) a node. */
  public static final String RESEED = "/v1/reseed";

  /** A backup to take; answered with the node's job once enqueued (202). */
  public record BackupBody(
      String node,
      String type,
      String compression,
      String contentCompression,
      Map<String, String> params,
      String idempotencyKey,
      String submittedBy) {}

  /** A log to collect; answered with the node's job once enqueued (202). */
  public record LogsBody(
      String node, String kind, Boolean rotate, String idempotencyKey, String submittedBy) {}

  /** A reseed; answered with the joiner's job once enqueued (202), after the preflight passed. */
  public record ReseedBody(
      String node,
      String method,
      String donor,
      String backup,
      String primary,
      boolean force,
      Boolean keepOld,
      String compression,
      boolean flashback,
      String submittedBy,
      String position,
      String binlogAt) {}

  private ManagerApi() {}

  /** {@code /v1/jobs/{node}/{id}}. */
  public static String jobPath(String node, long id) {
    return JOBS + "/" + encode(node) + "/" + id;
  }

  /** {@code /v1/jobs/{node}/by-key/{key}?task={task}}, the key URL-encoded. */
  public static String byKeyPath(JobRef ref) {
    return JOBS
        + "/"
        + encode(ref.node())
        + "/by-key/"
        + encode(ref.idempotencyKey())
        + "?task="
        + encode(ref.task().wireName());
  }

  /** {@code /v1/jobs/{node}/{id}/cancel}. */
  public static String cancelPath(String node, long id) {
    return jobPath(node, id) + "/cancel";
  }

  /** {@code /v1/schedules/{cluster}/{name}/run}. */
  public static String runSchedulePath(String cluster, String name) {
    return SCHEDULES + "/" + encode(cluster) + "/" + encode(name) + "/run";
  }

  /** One path segment or query value, URL-encoded. */
  public static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  /** A job to enqueue: {@code task} and {@code node} required; the same key twice is one job. */
  public record SubmitBody(
      String node,
      String task,
      Map<String, String> params,
      String idempotencyKey,
      String submittedBy) {}

  /** The enqueued job, or the existing one with the same key ({@code created} false). */
  public record SubmittedDoc(JobDoc job, boolean created) {}

  /** Jobs, newest first, and the nodes that could not be read with why. */
  public record JobListDoc(List<JobDoc> jobs, Map<String, String> unreachable) {}

  /** Who cancels, for the job's result. */
  public record CancelBody(String by) {}

  /**
   * @param result {@code CANCELLED}, {@code REQUESTED}, {@code ALREADY_FINAL} or {@code NOT_FOUND}
   */
  public record CancelDoc(String node, long id, String result) {}

  /**
   * An error.
   *
   * @param code an {@link io.dbjobs.common.ErrorCode} name ({@code UNAUTHORIZED} for 401)
   */
  public record ErrorDoc(String error, String code) {}

  /**
   * The daemon's liveness.
   *
   * @param scheduler {@code started}, {@code standby} or {@code shutdown}
   * @param store {@code ram} or {@code jdbc}
   * @param instance the scheduler's instance id (distinct per manager with the JDBC store)
   */
  public record HealthDoc(
      String status, String version, String instance, String scheduler, String store, int nodes) {}

  /**
   * A schedule and its trigger.
   *
   * @param nextFire null when it will not fire again
   */
  public record ScheduleDoc(
      String cluster,
      String name,
      String task,
      String cron,
      String timeZone,
      String node,
      Map<String, String> params,
      Instant nextFire,
      Instant previousFire) {}

  /**
   * A job as the API shows it: the row's fields (neither its seal nor its wrapped secret, only whom
   * it was sealed for and whether it was), state by label and number, times in ISO-8601 UTC.
   *
   * @param params null when the row's params column is not valid JSON; then {@code paramsRaw} has
   *     it
   */
  public record JobDoc(
      String node,
      long id,
      String task,
      String state,
      int stateCode,
      String phase,
      long bytesDone,
      Long bytesTotal,
      String digest,
      String errorCode,
      String result,
      Map<String, String> params,
      String paramsRaw,
      int attempts,
      String leaseOwner,
      Instant leaseExpires,
      boolean cancelRequested,
      String idempotencyKey,
      String submittedBy,
      Instant created,
      Instant started,
      Instant ended,
      Instant updated,
      String server,
      int port,
      boolean leaseExpired,
      String sealedFor,
      boolean sealed) {

    public static JobDoc of(JobView v) {
      Job j = v.job();
      Map<String, String> params;
      String raw = null;
      try {
        params = j.params();
      } catch (io.dbjobs.common.DbJobsException e) {
        params = null;
        raw = j.paramsJson();
      }
      return new JobDoc(
          v.node(),
          j.id(),
          j.task(),
          j.state().label(),
          j.state().code(),
          j.phase(),
          j.bytesDone(),
          j.bytesTotal(),
          j.digest(),
          j.errorCode(),
          j.result(),
          params,
          raw,
          j.attempts(),
          j.leaseOwner(),
          j.leaseExpires(),
          j.cancelRequested(),
          j.idempotencyKey(),
          j.submittedBy(),
          j.created(),
          j.started(),
          j.ended(),
          j.updated(),
          j.server(),
          j.port(),
          j.leaseExpired(),
          j.seal().node(),
          j.seal().seal() != null);
    }

    /** The job as the fleet verbs return it. */
    public JobView toView() {
      String paramsJson =
          paramsRaw != null ? paramsRaw : JobParams.toJson(params == null ? Map.of() : params);
      return new JobView(
          node,
          new Job(
              id,
              task,
              JobState.fromCode(stateCode),
              idempotencyKey,
              paramsJson,
              server == null ? "" : server,
              port,
              attempts,
              leaseOwner,
              leaseExpires,
              cancelRequested,
              phase,
              bytesDone,
              bytesTotal,
              digest,
              errorCode,
              result,
              submittedBy,
              created,
              started,
              ended,
              updated,
              leaseExpired,
              new RowSeal(sealedFor, null, null, "")));
    }
  }
}
