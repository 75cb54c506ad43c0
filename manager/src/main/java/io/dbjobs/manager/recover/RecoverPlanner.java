package io.dbjobs.manager.recover;

import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.health.Finding;
import io.dbjobs.common.health.ReplicaChannel;
import io.dbjobs.common.health.Verdict;
import io.dbjobs.manager.config.ManagerConfig;
import io.dbjobs.manager.config.NodeConfig;
import io.dbjobs.manager.health.ClusterDiagnosis;
import io.dbjobs.manager.health.ClusterHealth;
import io.dbjobs.manager.health.NodeHealth;
import io.dbjobs.manager.reseed.ReseedMethod;
import java.util.List;

/**
 * Decides what {@code recover} does about a node, from the cluster's health: pure logic. A replica
 * the agent can repair gets a {@code recover} job pointing it at the current primary; one that
 * cannot be repaired correctly (errant transactions, purged binlogs, an SQL error from diverged
 * rows) is refused with the reseed to run, or reseeded when the operator allowed it; a primary, an
 * unreachable node or a cluster without a primary is refused.
 */
public final class RecoverPlanner {
  private RecoverPlanner() {}

  public static RecoverPlan plan(
      ManagerConfig config, ClusterHealth h, String node, RecoverOptions o) {
    NodeHealth n = h.node(node);
    if (!n.reachable()) {
      return new RecoverPlan.Refuse(
          n.node(),
          n,
          ErrorCode.NODE_UNREACHABLE,
          n.node()
              + " does not answer ("
              + n.summary()
              + "); recover works through its server: start it first (dbjobs submit --node "
              + n.node()
              + " --task start)");
    }
    if (n.isPrimary()) {
      return new RecoverPlan.Refuse(
          n.node(),
          n,
          ErrorCode.PREFLIGHT_REFUSED,
          n.node()
              + " is the primary of cluster "
              + h.cluster()
              + " (writable, replicating from no node of it); recover repairs replicas");
    }
    if (h.primary() == null) {
      boolean someDown = h.nodes().stream().anyMatch(x -> !x.reachable());
      return new RecoverPlan.Refuse(
          n.node(),
          n,
          someDown ? ErrorCode.NODE_UNREACHABLE : ErrorCode.PREFLIGHT_REFUSED,
          "recover points "
              + n.node()
              + " at the cluster's current primary, but "
              + h.problem()
              + "; bring the primary back or promote one, then recover. Nothing was changed");
    }
    if (n.verdict() == Verdict.NEEDS_RESEED) {
      String why =
          String.join(
              "; ",
              n.findings().stream().filter(Finding::needsReseed).map(Finding::toString).toList());
      ReseedMethod m = o.method() != null ? o.method() : suggestMethod(h, n.node());
      if (o.reseedIfNeeded()) {
        return new RecoverPlan.Reseed(n.node(), n, m, why);
      }
      return new RecoverPlan.Refuse(
          n.node(),
          n,
          ErrorCode.PREFLIGHT_REFUSED,
          "recover refused for "
              + n.node()
              + ", nothing was changed: "
              + why
              + ". A recovery cannot be correct and nothing is skipped; rebuild it: dbjobs reseed"
              + " --node "
              + n.node()
              + " --method "
              + m.label()
              + " (or dbjobs recover --node "
              + n.node()
              + " --reseed-if-needed)");
    }
    NodeConfig p = config.node(h.primary());
    return new RecoverPlan.Recover(
        n.node(),
        n,
        h.primary(),
        p.database().host() + ":" + p.database().port(),
        n.clusterChannel());
  }

  /**
   * The reseed to suggest: {@code physicaldonor} when another replica is healthy (both threads
   * running, not shunned) to copy, else {@code logicalmaster}.
   */
  public static ReseedMethod suggestMethod(ClusterHealth h, String node) {
    boolean donor =
        h.nodes().stream()
            .anyMatch(
                x ->
                    !x.node().equals(node)
                        && !x.isPrimary()
                        && x.shunned() == null
                        && x.verdict() == Verdict.HEALTHY
                        && !x.channels().isEmpty()
                        && x.channels().stream().allMatch(ReplicaChannel::running));
    return donor ? ReseedMethod.PHYSICALDONOR : ReseedMethod.LOGICALMASTER;
  }

  /**
   * The nodes {@code recover --cluster} considers: every node but the primary whose diagnosis is
   * not ok or lagging (the caller leaves shunned ones to be recovered by name).
   */
  public static List<NodeHealth> targets(ClusterHealth h) {
    return h.nodes().stream()
        .filter(n -> !n.isPrimary() && !ClusterDiagnosis.fine(n.diagnosis()))
        .toList();
  }
}
