package io.dbjobs.manager.health;

import io.dbjobs.common.health.Diagnosis;
import io.dbjobs.common.health.NodeFacts;
import io.dbjobs.common.health.ReplicaAssessment;
import io.dbjobs.common.health.ReplicaAssessment.Assessment;
import io.dbjobs.common.health.ReplicaAssessment.Source;
import io.dbjobs.common.health.ReplicaAssessment.SourceKind;
import io.dbjobs.common.health.ReplicaChannel;
import io.dbjobs.manager.config.ClusterConfig;
import io.dbjobs.manager.config.NodeConfig;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A cluster's health from what each node said: pure logic. The primary is the one node that
 * answers, is writable and replicates from no node of the cluster. A connection's source is the
 * cluster node whose configured host and port it names, or whose server id it last read from. Each
 * node is then diagnosed with {@link ReplicaAssessment} against that primary.
 */
public final class ClusterDiagnosis {
  private ClusterDiagnosis() {}

  /** One node as read: its facts, or (facts null) why they could not be read. */
  public record NodeRead(NodeConfig node, NodeFacts facts, String error) {
    public static NodeRead of(NodeConfig node, NodeFacts facts) {
      return new NodeRead(node, facts, null);
    }

    public static NodeRead failed(NodeConfig node, String error) {
      return new NodeRead(node, null, error);
    }
  }

  /**
   * The node that looks like the primary in these reads; null when none or several do. A reader
   * reads the primary once more after everyone else and diagnoses with that read: a replica read
   * after the primary could otherwise look ahead of it (errant) while it only applied what the
   * primary wrote meanwhile.
   */
  public static String primaryOf(List<NodeRead> reads) {
    List<NodeRead> candidates = candidates(reads, sourceNodes(reads));
    return candidates.size() == 1 ? candidates.get(0).node().name() : null;
  }

  private static Map<String, Map<String, String>> sourceNodes(List<NodeRead> reads) {
    Map<String, Map<String, String>> sourceNodes = new HashMap<>();
    for (NodeRead r : reads) {
      if (r.facts() != null) {
        Map<String, String> bySource = new HashMap<>();
        for (ReplicaChannel c : r.facts().channels()) {
          String from = sourceNode(c, r.node(), reads);
          if (from != null) {
            bySource.put(c.name(), from);
          }
        }
        sourceNodes.put(r.node().name(), bySource);
      }
    }
    return sourceNodes;
  }

  private static List<NodeRead> candidates(
      List<NodeRead> reads, Map<String, Map<String, String>> sourceNodes) {
    return reads.stream()
        .filter(
            r ->
                r.facts() != null
                    && !r.facts().readOnly()
                    && sourceNodes.get(r.node().name()).isEmpty())
        .toList();
  }

  public static ClusterHealth diagnose(ClusterConfig cluster, List<NodeRead> reads, Instant at) {
    Map<String, Map<String, String>> sourceNodes = sourceNodes(reads);
    List<NodeRead> candidates = candidates(reads, sourceNodes);
    NodeRead primary = candidates.size() == 1 ? candidates.get(0) : null;
    String problem = primary != null ? null : noPrimary(cluster, candidates, reads);
    List<NodeHealth> out = new ArrayList<>();
    for (NodeRead r : reads) {
      out.add(node(cluster, r, primary, sourceNodes));
    }
    return new ClusterHealth(
        cluster.name(),
        primary == null ? null : primary.node().name(),
        problem,
        candidates.size(),
        cluster.health().policy().label(),
        "manager.yml",
        out,
        at);
  }

  private static NodeHealth node(
      ClusterConfig cluster,
      NodeRead r,
      NodeRead primary,
      Map<String, Map<String, String>> sourceNodes) {
    NodeConfig n = r.node();
    String address = n.database().host() + ":" + n.database().port();
    if (r.facts() == null) {
      Assessment a = ReplicaAssessment.unreachable(r.error());
      return new NodeHealth(
          cluster.name(),
          n.name(),
          address,
          false,
          "unknown",
          null,
          a.diagnosis(),
          a.verdict(),
          a.findings(),
          List.of(),
          "",
          List.of(),
          0,
          null,
          null,
          null);
    }
    NodeFacts f = r.facts();
    if (primary != null && primary.node().name().equals(n.name())) {
      Assessment a = ReplicaAssessment.primary(f, cluster.health().lagThreshold());
      return health(cluster, n, address, "primary", f, a, "", null);
    }
    Map<String, String> from = sourceNodes.get(n.name());
    Map<String, Source> sources = new HashMap<>();
    from.forEach(
        (channel, node) ->
            sources.put(
                channel,
                new Source(
                    primary != null && primary.node().name().equals(node)
                        ? SourceKind.PRIMARY
                        : SourceKind.OTHER_NODE,
                    node)));
    String clusterChannel = clusterChannel(f, sources);
    Assessment a =
        ReplicaAssessment.replica(
            f,
            new ReplicaAssessment.Context(
                primary == null ? null : primary.node().name(),
                primary == null ? null : primary.facts(),
                clusterChannel,
                sources,
                cluster.health().lagThreshold()));
    ReplicaChannel mine = f.channel(clusterChannel);
    return health(
        cluster,
        n,
        address,
        f.channels().isEmpty() ? "standalone" : "replica",
        f,
        a,
        clusterChannel,
        mine == null ? null : mine.secondsBehind());
  }

  private static NodeHealth health(
      ClusterConfig cluster,
      NodeConfig n,
      String address,
      String role,
      NodeFacts f,
      Assessment a,
      String clusterChannel,
      Long lag) {
    return new NodeHealth(
        cluster.name(),
        n.name(),
        address,
        true,
        role,
        f.readOnly(),
        a.diagnosis(),
        a.verdict(),
        a.findings(),
        f.channels(),
        clusterChannel,
        a.errantGtids(),
        a.errantCount(),
        lag,
        f.position(),
        null);
  }

  /**
   * The connection that reads from the cluster: the one from the primary, else one from another
   * node, else the default one.
   */
  static String clusterChannel(NodeFacts f, Map<String, Source> sources) {
    String other = null;
    for (ReplicaChannel c : f.channels()) {
      Source s = sources.get(c.name());
      if (s != null && s.kind() == SourceKind.PRIMARY) {
        return c.name();
      }
      if (s != null && other == null) {
        other = c.name();
      }
    }
    return other != null ? other : "";
  }

  /** The cluster node a connection reads from, or null when it is none of them. */
  static String sourceNode(ReplicaChannel c, NodeConfig self, List<NodeRead> reads) {
    for (NodeRead r : reads) {
      NodeConfig m = r.node();
      if (!m.name().equals(self.name())
          && ReplicaAssessment.sameAddress(c, m.database().host(), m.database().port())) {
        return m.name();
      }
    }
    if (c.sourceServerId() != 0) {
      for (NodeRead r : reads) {
        if (!r.node().name().equals(self.name())
            && r.facts() != null
            && r.facts().serverId() == c.sourceServerId()) {
          return r.node().name();
        }
      }
    }
    return null;
  }

  private static String noPrimary(
      ClusterConfig cluster, List<NodeRead> candidates, List<NodeRead> reads) {
    if (!candidates.isEmpty()) {
      return "several nodes look like the primary of cluster "
          + cluster.name()
          + " (writable, replicating from no node of it): "
          + candidates.stream().map(r -> r.node().name()).toList();
    }
    List<String> down =
        reads.stream().filter(r -> r.facts() == null).map(r -> r.node().name()).toList();
    return "no node of cluster "
        + cluster.name()
        + " is writable and replicates from no other node"
        + (down.isEmpty() ? "" : "; unreachable: " + String.join(", ", down));
  }

  /** True for the diagnoses {@code recover --cluster} leaves alone. */
  public static boolean fine(Diagnosis d) {
    return d == Diagnosis.OK || d == Diagnosis.LAGGING;
  }
}
