package io.dbjobs.manager.operations;

import io.dbjobs.manager.config.ClusterPolicy;
import io.dbjobs.manager.health.ClusterHealth;
import io.dbjobs.manager.state.Shun;
import java.util.List;

/**
 * Health, shun/welcome and policies, as the CLI uses them: directly against the nodes and the
 * operator state ({@link DirectOperations}) or through the daemon ({@link ApiOperations}); both
 * give the same answers and the same errors.
 */
public interface Operations extends AutoCloseable {
  /**
   * @param cluster one cluster, or null for all
   */
  List<ClusterHealth> health(String cluster);

  List<Shun> shuns();

  /**
   * @throws io.dbjobs.common.DbJobsException NOT_FOUND for an unknown node
   */
  Shun shun(String node, String reason, String by);

  OperationsApi.WelcomeDoc welcome(String node, String by);

  List<OperationsApi.PolicyDoc> policies();

  /**
   * @param policy null to go back to manager.yml's
   */
  OperationsApi.PolicyDoc setPolicy(String cluster, ClusterPolicy policy, String reason, String by);

  @Override
  void close();
}
