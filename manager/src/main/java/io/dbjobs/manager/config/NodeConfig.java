package io.dbjobs.manager.config;

import io.dbjobs.common.config.DatabaseEndpoint;

/**
 * One database node as the manager knows it.
 *
 * @param agentPort the agent's HTTP port (health, metrics, submitting while the database is down)
 * @param streamPort the agent's stream listener port (joiners, 4444)
 */
public record NodeConfig(
    String cluster, String name, DatabaseEndpoint database, int agentPort, int streamPort) {

  /** {@code cluster/name}, unique across the fleet. */
  public String qualifiedName() {
    return cluster + "/" + name;
  }

  /** "db2 (10.0.0.2:3306)", for messages. */
  public String describe() {
    return name + " (" + database.host() + ":" + database.port() + ")";
  }
}
