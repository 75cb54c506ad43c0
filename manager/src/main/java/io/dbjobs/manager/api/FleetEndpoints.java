package io.dbjobs.manager.api;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.job.JobRef;
import io.dbjobs.common.job.JobState;
import io.dbjobs.common.job.Task;
import io.dbjobs.common.jobs.ManagerJobs;
import io.dbjobs.manager.fleet.Fleet;
import java.util.Map;

/**
 * {@code /v1/nodes} and {@code /v1/jobs}: the fleet verbs of the CLI over HTTP, answered by the
 * daemon's own {@link Fleet} (which works directly against the nodes).
 */
public final class FleetEndpoints implements ApiEndpoints {
  /** The most jobs one list returns. */
  public static final int MAX_LIMIT = 1000;

  private final Fleet fleet;

  public FleetEndpoints(Fleet fleet) {
    this.fleet = fleet;
  }

  @Override
  public void register(ApiRouter r) {
    r.get(ManagerApi.NODES, req -> ApiResponse.ok(fleet.nodes()));
    r.get(ManagerApi.JOBS, this::list);
    r.post(ManagerApi.JOBS, this::submit);
    // literal "by-key" before the {id} routes of the same length
    r.get(
        ManagerApi.JOBS + "/{node}/by-key/{key}",
        req ->
            ApiResponse.ok(
                ManagerApi.JobDoc.of(
                    fleet.job(
                        new JobRef(
                            req.param("node"),
                            req.param("key"),
                            Task.require(required(req, "task")))))));
    r.get(
        ManagerApi.JOBS + "/{node}/{id}",
        req ->
            ApiResponse.ok(
                ManagerApi.JobDoc.of(fleet.job(req.param("node"), req.longParam("id")))));
    r.post(ManagerApi.JOBS + "/{node}/{id}/cancel", this::cancel);
  }

  private static String required(ApiRequest req, String name) {
    String v = req.query(name);
    if (v == null || v.isBlank()) {
      throw new DbJobsException(
          ErrorCode.USAGE, "the query parameter '" + name + "' is required here");
    }
    return v;
  }

  private ApiResponse list(ApiRequest req) {
    String state = req.query("state");
    Fleet.JobList l =
        fleet.jobs(
            req.query("node"),
            state == null ? null : JobState.parse(state),
            req.query("task"),
            req.intQuery("limit", 30, 1, MAX_LIMIT));
    return ApiResponse.ok(
        new ManagerApi.JobListDoc(
            l.jobs().stream().map(ManagerApi.JobDoc::of).toList(), l.unreachable()));
  }

  private ApiResponse submit(ApiRequest req) {
    ManagerApi.SubmitBody b = req.body(ManagerApi.SubmitBody.class);
    if (b == null || b.node() == null || b.task() == null) {
      throw new DbJobsException(
          ErrorCode.USAGE, "a submitted job needs at least a node and a task");
    }
    String key =
        b.idempotencyKey() == null || b.idempotencyKey().isBlank()
            ? "api-" + java.util.UUID.randomUUID()
            : b.idempotencyKey();
    Fleet.Submitted s =
        fleet.submit(
            new Fleet.SubmitRequest(
                b.node(),
                Task.require(b.task()),
                b.params() == null ? Map.of() : b.params(),
                key,
                b.submittedBy() == null ? "dbjobs api" : b.submittedBy()));
    return ApiResponse.of(
        s.created() ? 201 : 200,
        new ManagerApi.SubmittedDoc(ManagerApi.JobDoc.of(s.job()), s.created()));
  }

  private ApiResponse cancel(ApiRequest req) {
    ManagerApi.CancelBody b = req.body(ManagerApi.CancelBody.class);
    String node = req.param("node");
    long id = req.longParam("id");
    ManagerJobs.CancelResult r =
        fleet.cancel(node, id, b == null || b.by() == null ? "dbjobs api" : b.by());
    return ApiResponse.ok(new ManagerApi.CancelDoc(node, id, r.name()));
  }
}
