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
    String name,
    List<NodeConfig> nodes,
    Secret agentToken,
    ClusterHealthConfig health,
    io.dbjobs.common.job.ReplicationTls replicationTls) {
  public ClusterConfig {
    nodes = List.copyOf(nodes);
    health = health == null ? ClusterHealthConfig.defaults() : health;
  }

  /** Without replication TLS. */
  public ClusterConfig(
      String name, List<NodeConfig> nodes, Secret agentToken, ClusterHealthConfig health) {
    this(name, nodes, agentToken, health, null);
  }

  public ClusterConfig(String name, List<NodeConfig> nodes, Secret agentToken) {
    this(name, nodes, agentToken, ClusterHealthConfig.defaults());
  }
}
