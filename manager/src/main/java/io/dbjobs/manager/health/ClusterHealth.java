package io.dbjobs.manager.health;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import java.time.Instant;
import java.util.List;

/**
 * A cluster's replication health at one moment.
 *
 * @param primary the node that is the primary now; null when none or several look like it
 * @param problem why there is no primary; null when there is one
 * @param primaries how many nodes look like a primary (writable, replicating from no node of the
 *     cluster): 1 is healthy
 * @param policy the effective policy ({@code manual}, {@code automatic}, {@code maintenance})
 * @param policySource {@code manager.yml}, or who set it at run time, when and why
 */
public record ClusterHealth(
    String cluster,
    String primary,
    String problem,
    int primaries,
    String policy,
    String policySource,
    List<NodeHealth> nodes,
    Instant readAt) {

  public ClusterHealth {
    nodes = List.copyOf(nodes);
  }

  /**
   * @throws DbJobsException NOT_FOUND when the node is not in this cluster
   */
  public NodeHealth node(String name) {
    return nodes.stream()
        .filter(n -> n.node().equals(name) || (cluster + "/" + n.node()).equals(name))
        .findFirst()
        .orElseThrow(
            () ->
                new DbJobsException(
                    ErrorCode.NOT_FOUND, "no node " + name + " in cluster " + cluster));
  }

  public ClusterHealth withNodes(List<NodeHealth> replaced) {
    return new ClusterHealth(
        cluster, primary, problem, primaries, policy, policySource, replaced, readAt);
  }

  public ClusterHealth withPolicy(String policy, String source) {
    return new ClusterHealth(cluster, primary, problem, primaries, policy, source, nodes, readAt);
  }
}
