package io.dbjobs.manager.operations;

import io.dbjobs.manager.config.ClusterConfig;
import io.dbjobs.manager.config.ClusterPolicy;
import io.dbjobs.manager.config.ManagerConfig;
import io.dbjobs.manager.config.NodeConfig;
import io.dbjobs.manager.health.ClusterHealth;
import io.dbjobs.manager.health.HealthReader;
import io.dbjobs.manager.health.NodeHealth;
import io.dbjobs.manager.policy.EffectivePolicy;
import io.dbjobs.manager.state.OperatorState;
import io.dbjobs.manager.state.Shun;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@link Operations} against the nodes and the operator state directly (the daemon's too). */
public final class DirectOperations implements Operations {
  private static final Logger LOG = LoggerFactory.getLogger(DirectOperations.class);

  private final ManagerConfig config;
  private final HealthReader health;
  private final OperatorState state;
  private final Clock clock;

  public DirectOperations(
      ManagerConfig config, HealthReader health, OperatorState state, Clock clock) {
    this.config = config;
    this.health = health;
    this.state = state;
    this.clock = clock;
  }

  /** The health reader this uses (its node pools are the caller's). */
  public HealthReader reader() {
    return health;
  }

  @Override
  public List<ClusterHealth> health(String cluster) {
    return cluster == null ? health.readAll() : List.of(health.read(cluster));
  }

  @Override
  public List<Shun> shuns() {
    return List.copyOf(state.shuns().values());
  }

  @Override
  public Shun shun(String node, String reason, String by) {
    NodeConfig n = config.node(node);
    Shun s = state.shun(n.name(), reason, by);
    LOG.warn(
        "{} shunned by {}{} (kept in {})",
        n.name(),
        by,
        s.reason().isEmpty() ? "" : ": " + s.reason(),
        state.where());
    return s;
  }

  @Override
  public OperationsApi.WelcomeDoc welcome(String node, String by) {
    NodeConfig n = config.node(node);
    boolean was = state.welcome(n.name());
    if (was) {
      LOG.info("{} welcomed back by {}", n.name(), by);
    }
    NodeHealth h = health.read(n.cluster()).node(n.name());
    return new OperationsApi.WelcomeDoc(n.name(), was, h.diagnosis().label(), h.summary());
  }

  @Override
  public List<OperationsApi.PolicyDoc> policies() {
    List<OperationsApi.PolicyDoc> out = new ArrayList<>();
    var settings = state.policies();
    for (ClusterConfig c : config.clusters()) {
      out.add(doc(EffectivePolicy.of(config, settings, c.name())));
    }
    return out;
  }

  @Override
  public OperationsApi.PolicyDoc setPolicy(
      String cluster, ClusterPolicy policy, String reason, String by) {
    ClusterConfig c = config.cluster(cluster);
    if (policy == null) {
      state.clearPolicy(c.name());
      LOG.info(
          "cluster {}: policy back to manager.yml's ({}), by {}",
          c.name(),
          c.health().policy(),
          by);
    } else {
      state.setPolicy(c.name(), policy, reason, by);
      LOG.warn(
          "cluster {}: policy {} set by {}{}",
          c.name(),
          policy,
          by,
          reason == null || reason.isBlank() ? "" : ": " + reason);
    }
    return doc(EffectivePolicy.of(config, state.policies(), c.name()));
  }

  private OperationsApi.PolicyDoc doc(EffectivePolicy p) {
    return new OperationsApi.PolicyDoc(
        p.cluster(),
        p.policy().label(),
        config.cluster(p.cluster()).health().policy().label(),
        p.source(clock.instant()),
        p.setting());
  }

  @Override
  public void close() {
    health.close();
  }
}
