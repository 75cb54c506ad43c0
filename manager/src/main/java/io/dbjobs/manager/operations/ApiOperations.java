package io.dbjobs.manager.operations;

import com.fasterxml.jackson.core.type.TypeReference;
import io.dbjobs.manager.api.ApiClient;
import io.dbjobs.manager.api.ManagerApi;
import io.dbjobs.manager.config.ClusterPolicy;
import io.dbjobs.manager.health.ClusterHealth;
import io.dbjobs.manager.state.Shun;
import java.util.List;

/** {@link Operations} through a running daemon's API ({@link OperationsApi}). */
public final class ApiOperations implements Operations {
  private final ApiClient client;

  public ApiOperations(ApiClient client) {
    this.client = client;
  }

  @Override
  public List<ClusterHealth> health(String cluster) {
    String q = cluster == null ? "" : "?cluster=" + ManagerApi.encode(cluster);
    return client.get(OperationsApi.HEALTH + q, new TypeReference<List<ClusterHealth>>() {});
  }

  @Override
  public List<Shun> shuns() {
    return client.get(OperationsApi.SHUNS, new TypeReference<List<Shun>>() {});
  }

  @Override
  public Shun shun(String node, String reason, String by) {
    return client.post(
        OperationsApi.SHUN, new OperationsApi.ShunBody(node, reason, by), Shun.class);
  }

  @Override
  public OperationsApi.WelcomeDoc welcome(String node, String by) {
    return client.post(
        OperationsApi.WELCOME,
        new OperationsApi.WelcomeBody(node, by),
        OperationsApi.WelcomeDoc.class);
  }

  @Override
  public List<OperationsApi.PolicyDoc> policies() {
    return client.get(
        OperationsApi.POLICIES, new TypeReference<List<OperationsApi.PolicyDoc>>() {});
  }

  @Override
  public OperationsApi.PolicyDoc setPolicy(
      String cluster, ClusterPolicy policy, String reason, String by) {
    return client.post(
        OperationsApi.POLICY,
        new OperationsApi.PolicyBody(cluster, policy == null ? null : policy.label(), reason, by),
        OperationsApi.PolicyDoc.class);
  }

  @Override
  public void close() {
    // nothing held
  }
}
