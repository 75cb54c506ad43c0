package io.dbjobs.manager.operations;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.manager.api.ApiEndpoints;
import io.dbjobs.manager.api.ApiRequest;
import io.dbjobs.manager.api.ApiResponse;
import io.dbjobs.manager.api.ApiRouter;
import io.dbjobs.manager.api.ManagerApi;
import io.dbjobs.manager.config.ClusterPolicy;
import io.dbjobs.manager.fleet.JobView;
import io.dbjobs.manager.recover.Recover;
import io.dbjobs.manager.recover.RecoverOptions;
import io.dbjobs.manager.recover.RecoverPlan;
import io.dbjobs.manager.recover.ReseedStarter;
import io.dbjobs.manager.reseed.Reseed;
import io.dbjobs.manager.reseed.ReseedMethod;
import java.util.UUID;

/**
 * The daemon's routes of {@link OperationsApi}. A recover answers 202 with the job it enqueued (the
 * node's {@code recover} job, or with {@code reseedIfNeeded} the joiner's reseed job once its
 * preflight passed); follow it with {@code GET /v1/jobs/{node}/{id}}.
 */
public final class OperationsEndpoints implements ApiEndpoints {
  private final Operations ops;
  private final Recover recover;
  private final ReseedStarter reseeds;

  public OperationsEndpoints(Operations ops, Recover recover, ReseedStarter reseeds) {
    this.ops = ops;
    this.recover = recover;
    this.reseeds = reseeds;
  }

  @Override
  public void register(ApiRouter r) {
    r.get(OperationsApi.HEALTH, req -> ApiResponse.ok(ops.health(req.query("cluster"))));
    r.post(OperationsApi.RECOVER, this::recover);
    r.get(OperationsApi.SHUNS, req -> ApiResponse.ok(ops.shuns()));
    r.post(OperationsApi.SHUN, this::shun);
    r.post(OperationsApi.WELCOME, this::welcome);
    r.get(OperationsApi.POLICIES, req -> ApiResponse.ok(ops.policies()));
    r.post(OperationsApi.POLICY, this::policy);
  }

  private ApiResponse recover(ApiRequest req) {
    OperationsApi.RecoverBody b = req.body(OperationsApi.RecoverBody.class);
    require(b != null && b.node() != null, "a recover needs a node");
    String by = b.submittedBy() == null ? "dbjobs api" : b.submittedBy();
    RecoverPlan plan =
        recover.plan(
            b.node(),
            new RecoverOptions(
                b.reseedIfNeeded(), b.method() == null ? null : ReseedMethod.parse(b.method())));
    if (plan instanceof RecoverPlan.Refuse refuse) {
      throw new DbJobsException(refuse.code(), refuse.message());
    }
    if (plan instanceof RecoverPlan.Reseed reseed) {
      JobView job =
          reseeds.start(
              new Reseed.Request(
                  reseed.node(), reseed.method(), null, null, null, false, null, by, false));
      return ApiResponse.of(
          202,
          new OperationsApi.RecoverDoc(
              plan.node(),
              "reseed",
              plan.before().diagnosis().label(),
              plan.before().summary(),
              reseed.method().label(),
              ManagerApi.JobDoc.of(job)));
    }
    RecoverPlan.Recover r = (RecoverPlan.Recover) plan;
    String key = b.idempotencyKey() == null ? "recover-" + UUID.randomUUID() : b.idempotencyKey();
    JobView job = recover.submit(r, key, by);
    return ApiResponse.of(
        202,
        new OperationsApi.RecoverDoc(
            plan.node(),
            "recover",
            plan.before().diagnosis().label(),
            plan.before().summary(),
            null,
            ManagerApi.JobDoc.of(job)));
  }

  private ApiResponse shun(ApiRequest req) {
    OperationsApi.ShunBody b = req.body(OperationsApi.ShunBody.class);
    require(b != null && b.node() != null, "a shun needs a node");
    return ApiResponse.ok(ops.shun(b.node(), b.reason(), b.by() == null ? "dbjobs api" : b.by()));
  }

  private ApiResponse welcome(ApiRequest req) {
    OperationsApi.WelcomeBody b = req.body(OperationsApi.WelcomeBody.class);
    require(b != null && b.node() != null, "a welcome needs a node");
    return ApiResponse.ok(ops.welcome(b.node(), b.by() == null ? "dbjobs api" : b.by()));
  }

  private ApiResponse policy(ApiRequest req) {
    OperationsApi.PolicyBody b = req.body(OperationsApi.PolicyBody.class);
    require(b != null && b.cluster() != null, "a policy change needs a cluster");
    ClusterPolicy p =
        b.policy() == null || b.policy().isBlank() ? null : ClusterPolicy.parse(b.policy());
    return ApiResponse.ok(
        ops.setPolicy(b.cluster(), p, b.reason(), b.by() == null ? "dbjobs api" : b.by()));
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new DbJobsException(ErrorCode.USAGE, message);
    }
  }
}
