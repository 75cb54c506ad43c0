package io.dbjobs.manager.operations;

import io.dbjobs.manager.api.ManagerApi;
import io.dbjobs.manager.state.PolicySetting;

/**
 * The daemon's routes for health, recover, shun, welcome and policies, and their documents. Every
 * route needs the API token.
 *
 * <pre>
 * GET  /v1/health?cluster=    [ClusterHealth]
 * POST /v1/recover            RecoverBody -> 202 RecoverDoc (the recover job, or the reseed's)
 * GET  /v1/shuns              [Shun]
 * POST /v1/shun               ShunBody -> Shun
 * POST /v1/welcome            WelcomeBody -> WelcomeDoc
 * GET  /v1/policies           [PolicyDoc]
 * POST /v1/policy             PolicyBody -> PolicyDoc (policy null: back to manager.yml's)
 * </pre>
 *
 * A recover that cannot be correct answers an error with code {@code PREFLIGHT_REFUSED}.
 */
public final class OperationsApi {
  public static final String HEALTH = "/v1/health";
  public static final String RECOVER = "/v1/recover";
  public static final String SHUNS = "/v1/shuns";
  public static final String SHUN = "/v1/shun";
  public static final String WELCOME = "/v1/welcome";
  public static final String POLICIES = "/v1/policies";
  public static final String POLICY = "/v1/policy";

  private OperationsApi() {}

  /**
   * Recover a node.
   *
   * @param method the reseed's method with {@code reseedIfNeeded}; null to let dbjobs pick
   * @param idempotencyKey the recover job's key; null for a fresh one
   */
  public record RecoverBody(
      String node,
      boolean reseedIfNeeded,
      String method,
      String submittedBy,
      String idempotencyKey) {}

  /**
   * What recover started.
   *
   * @param action {@code recover} or {@code reseed}
   * @param diagnosis the node's diagnosis before
   * @param summary everything found wrong before
   * @param method the reseed's method; null for recover
   */
  public record RecoverDoc(
      String node,
      String action,
      String diagnosis,
      String summary,
      String method,
      ManagerApi.JobDoc job) {}

  public record ShunBody(String node, String reason, String by) {}

  public record WelcomeBody(String node, String by) {}

  /**
   * @param wasShunned false when the node was not shunned (nothing changed)
   * @param diagnosis the node's replication diagnosis now
   * @param summary what is wrong with it, if anything
   */
  public record WelcomeDoc(String node, boolean wasShunned, String diagnosis, String summary) {}

  /**
   * @param policy {@code manual}, {@code automatic} or {@code maintenance}; null or empty to go
   *     back to manager.yml's
   */
  public record PolicyBody(String cluster, String policy, String reason, String by) {}

  /**
   * A cluster's policy.
   *
   * @param policy the effective one
   * @param configured manager.yml's
   * @param source {@code manager.yml}, or who set it, when and why
   * @param setting the run-time setting; null when manager.yml's applies
   */
  public record PolicyDoc(
      String cluster, String policy, String configured, String source, PolicySetting setting) {}
}
