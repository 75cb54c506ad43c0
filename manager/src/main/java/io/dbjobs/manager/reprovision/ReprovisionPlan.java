package io.dbjobs.manager.reprovision;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.health.ReplicaChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The steps of {@code dbjobs reprovision --cluster C --from D}: rebuild a whole cluster from a node
 * of another cluster, its primary first, then the other nodes from it, each replica repositioned on
 * it, every other-site connection set up again, the policy put back. Only the plan is built: this
 * class decides the steps from what the cluster looks like now and refuses what cannot work; it
 * changes nothing.
 */
public final class ReprovisionPlan {
  private ReprovisionPlan() {}

  /** Methods that rebuild a cluster's first node from another cluster's node. */
  static final List<String> METHODS = List.of("physicaldonor", "physicalbackup", "logicalmaster");

  /**
   * One node of the cluster as it is now.
   *
   * @param version the server's version, or null when it does not answer
   * @param channels its named replication connections (other sites), by {@link
   *     ReplicaChannel#describe()} and source
   */
  public record Node(String name, boolean up, String version, List<ReplicaChannel> channels) {
    public Node {
      channels = channels == null ? List.of() : List.copyOf(channels);
    }
  }

  /**
   * What the plan starts from.
   *
   * @param primary the cluster's primary now, or null when it has none (its first node becomes it)
   * @param policy the cluster's policy now
   * @param nodes the cluster's nodes, in configured order
   * @param donorCluster the donor's cluster
   */
  public record Input(
      String cluster,
      String primary,
      String policy,
      List<Node> nodes,
      String donor,
      String donorCluster,
      boolean donorUp,
      String donorVersion,
      String method,
      int parallel) {}

  /**
   * The steps, numbered, for printing.
   *
   * @throws DbJobsException PREFLIGHT_REFUSED (or USAGE for a bad option) saying what to fix
   */
  public static List<String> steps(Input in) {
    if (!METHODS.contains(in.method())) {
      throw new DbJobsException(
          ErrorCode.USAGE,
          "--method must be one of " + METHODS + ", not '" + printable(in.method()) + "'");
    }
    if (in.parallel() < 1 || in.parallel() > 16) {
      throw new DbJobsException(ErrorCode.USAGE, "--parallel must be from 1 to 16");
    }
    if (in.cluster().equals(in.donorCluster())) {
      throw new DbJobsException(
          ErrorCode.PREFLIGHT_REFUSED,
          in.donor()
              + " is a node of "
              + in.cluster()
              + " itself: reprovision copies a cluster from another one; to rebuild one node"
              + " from its own cluster use dbjobs reseed");
    }
    if (!in.donorUp()) {
      throw new DbJobsException(
          ErrorCode.PREFLIGHT_REFUSED, "the donor " + in.donor() + " does not answer");
    }
    if (in.nodes().isEmpty()) {
      throw new DbJobsException(
          ErrorCode.PREFLIGHT_REFUSED, "cluster " + in.cluster() + " has no nodes");
    }
    boolean physical = !in.method().equals("logicalmaster");
    for (Node n : in.nodes()) {
      if (!n.up()) {
        throw new DbJobsException(
            ErrorCode.PREFLIGHT_REFUSED,
            n.name()
                + " does not answer: every node is rebuilt through its jobs table; start it first");
      }
      if (physical && !series(n.version()).equals(series(in.donorVersion()))) {
        throw new DbJobsException(
            ErrorCode.PREFLIGHT_REFUSED,
            "a physical copy needs the same server series: the donor "
                + in.donor()
                + " runs "
                + in.donorVersion()
                + ", "
                + n.name()
                + " runs "
                + n.version()
                + "; upgrade one side or use --method logicalmaster");
      }
    }
    String first = in.primary() != null ? in.primary() : in.nodes().get(0).name();
    List<String> rest = new ArrayList<>();
    for (Node n : in.nodes()) {
      if (!n.name().equals(first)) {
        rest.add(n.name());
      }
    }
    List<String> steps = new ArrayList<>();
    steps.add(
        "put "
            + in.cluster()
            + " in maintenance (policy now "
            + in.policy()
            + "): schedules pause, nothing automatic runs");
    steps.add(
        "rebuild "
            + first
            + (in.primary() != null
                ? " (the primary now)"
                : " (" + in.cluster() + " has no primary now; its first node becomes it)")
            + " from "
            + in.donor()
            + " of cluster "
            + in.donorCluster()
            + " by "
            + in.method()
            + "; it ends writable (read_only=0) as "
            + in.cluster()
            + "'s primary, replicating from nobody on its default connection");
    if (!rest.isEmpty()) {
      steps.add(
          "rebuild "
              + String.join(", ", rest)
              + " from "
              + first
              + " (from a rebuilt healthy replica of "
              + in.cluster()
              + " once there is one) by "
              + (physical ? "physicaldonor" : "logicalmaster")
              + ", at most "
              + in.parallel()
              + " at once; each is repositioned on "
              + first
              + " and waits until it caught up");
    }
    for (Node n : in.nodes()) {
      for (ReplicaChannel c : n.channels()) {
        if (!c.name().isEmpty()) {
          steps.add(
              "set up "
                  + n.name()
                  + "'s "
                  + c.describe()
                  + " from "
                  + c.source()
                  + " again after its rebuild, at the position the new data implies");
        }
      }
    }
    steps.add("put " + in.cluster() + "'s policy back to " + in.policy());
    List<String> numbered = new ArrayList<>();
    for (int i = 0; i < steps.size(); i++) {
      numbered.add((i + 1) + ". " + steps.get(i));
    }
    return numbered;
  }

  /** {@code 10.11} of {@code 10.11.6-MariaDB-log}; "" when unknown. */
  static String series(String version) {
    if (version == null) {
      return "";
    }
    String[] p = version.split("[.-]");
    return p.length < 2 ? version : (p[0] + "." + p[1]).toLowerCase(Locale.ROOT);
  }

  private static String printable(String s) {
    return s == null ? "" : s.replaceAll("[^\\x20-\\x7e]", "?");
  }
}
