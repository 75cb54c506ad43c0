package io.dbjobs.manager.config;

import io.dbjobs.common.config.Secret;
import java.util.List;

/**
 * A replication cluster: its nodes and the token its agents' HTTP endpoints expect.
 *
 * @param agentToken null when the agents' HTTP endpoints are not used
 * @param health its policy, auto-reseed and lag threshold
 */
public record ClusterConfig(
    String name, List<NodeConfig> nodes, Secret agentToken, ClusterHealthConfig health) {
  public ClusterConfig {
    nodes = List.copyOf(nodes);
    health = health == null ? ClusterHealthConfig.defaults() : health;
  }

  public ClusterConfig(String name, List<NodeConfig> nodes, Secret agentToken) {
    this(name, nodes, agentToken, ClusterHealthConfig.defaults());
  }
}
