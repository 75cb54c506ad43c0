package io.dbjobs.manager.policy;

import io.dbjobs.common.health.Verdict;
import io.dbjobs.manager.config.ClusterPolicy;
import io.dbjobs.manager.health.ClusterHealth;
import io.dbjobs.manager.health.NodeHealth;
import java.time.Instant;
import java.util.Map;
import java.util.function.Predicate;

/**
 * What the automatic policy does after one health check of a cluster: pure logic. It acts on at
 * most one node at a time per cluster, only when the cluster's policy is {@code automatic}, never
 * on a shunned node, a node in back-off or a node with a job that must not be disturbed, and never
 * reseeds unless the cluster has {@code autoReseed: true}.
 */
public final class AutomaticPolicy {
  private AutomaticPolicy() {}

  /** What to do. */
  public sealed interface Decision {}

  /** Nothing needs doing (no node to repair, or the policy is manual). */
  public record Idle() implements Decision {}

  /**
   * A node needs repair but the policy does nothing now.
   *
   * @param reason the metrics label: maintenance, busy, no-primary, shunned, backoff, needs-reseed
   */
  public record Skip(String reason, String why) implements Decision {}

  /** Repair this node: recover it, or (autoReseed) reseed it. */
  public record Act(NodeHealth node, Action action) implements Decision {}

  public enum Action {
    RECOVER("recover"),
    RESEED("reseed");

    private final String label;

    Action(String label) {
      this.label = label;
    }

    public String label() {
      return label;
    }
  }

  /**
   * @param backoffUntil per node, the time before which the policy leaves it alone
   * @param actionRunning the policy's own job in this cluster has not ended yet
   * @param busy true for a node with an unfinished job the policy must not run beside (a reseed, a
   *     stop, another recover)
   */
  public static Decision decide(
      ClusterHealth h,
      boolean autoReseed,
      Map<String, Instant> backoffUntil,
      boolean actionRunning,
      Predicate<String> busy,
      Instant now) {
    java.util.List<NodeHealth> needing =
        h.nodes().stream()
            .filter(
                n ->
                    n.reachable()
                        && !n.isPrimary()
                        && (n.verdict() == Verdict.RECOVERABLE
                            || n.verdict() == Verdict.NEEDS_RESEED))
            .toList();
    if (needing.isEmpty()) {
      return new Idle();
    }
    ClusterPolicy policy = ClusterPolicy.parse(h.policy());
    if (policy == ClusterPolicy.MANUAL) {
      return new Idle();
    }
    String names = String.join(", ", needing.stream().map(NodeHealth::node).toList());
    if (policy == ClusterPolicy.MAINTENANCE) {
      return new Skip(
          "maintenance", "cluster " + h.cluster() + " is in maintenance; not repairing " + names);
    }
    if (actionRunning) {
      return new Skip(
          "busy", "an automatic action in cluster " + h.cluster() + " is still running");
    }
    if (h.primary() == null) {
      return new Skip("no-primary", h.problem() + "; not repairing " + names);
    }
    Skip first = null;
    for (NodeHealth n : needing) {
      Skip s = null;
      if (n.shunned() != null) {
        s = new Skip("shunned", n.node() + " is shunned; the automatic policy leaves it alone");
      } else if (backoffUntil.containsKey(n.node()) && now.isBefore(backoffUntil.get(n.node()))) {
        s =
            new Skip(
                "backoff",
                n.node()
                    + " was acted on recently and is still "
                    + n.diagnosis().label()
                    + "; next attempt after "
                    + backoffUntil.get(n.node()));
      } else if (n.verdict() == Verdict.NEEDS_RESEED && !autoReseed) {
        s =
            new Skip(
                "needs-reseed",
                n.node()
                    + " needs a reseed ("
                    + n.diagnosis().label()
                    + "), which the automatic policy does only with autoReseed: true");
      } else if (busy.test(n.node())) {
        s = new Skip("busy", n.node() + " has a job the policy must not run beside");
      }
      if (s == null) {
        return new Act(n, n.verdict() == Verdict.NEEDS_RESEED ? Action.RESEED : Action.RECOVER);
      }
      if (first == null) {
        first = s;
      }
    }
    return first;
  }
}
