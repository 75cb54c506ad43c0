package io.dbjobs.manager.config;

import io.dbjobs.common.config.Secret;
import java.util.List;

/**
 * A replication cluster: its nodes and the token its agents' HTTP endpoints expect.
 *
 * @param agentToken null when the agents' HTTP endpoints are not used
 */
public record ClusterConfig(String name, List<NodeConfig> nodes, Secret agentToken) {
  public ClusterConfig {
    nodes = List.copyOf(nodes);
  }
}
