package io.dbjobs.manager.cli;

import io.dbjobs.manager.fleet.NodeStatus;
import io.dbjobs.manager.health.ClusterDiagnosis;
import io.dbjobs.manager.health.ClusterHealth;
import io.dbjobs.manager.health.NodeHealth;
import java.io.PrintWriter;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(
    mixinStandardHelpOptions = true,
    name = "nodes",
    description = {
      "List every configured node: reachable or not, version, role, read_only, replication"
          + " threads and lag, replication health, queued and running jobs.",
      "HEALTH is the node's diagnosis: ok, lagging, stopped, io-error, sql-error, wrong-primary"
          + " (replicates from a node that is not the current primary), writable-replica,"
          + " errant-transactions (GTIDs the primary never had), binlogs-purged (the primary no"
          + " longer has the binlogs from its position) or unreachable; '(shunned)' marks a shunned"
          + " node. --json adds every finding and every replication connection.",
      "The first contact with a node creates its jobs table (replication_manager_schema.jobs,"
          + " not replicated)."
    })
final class NodesCommand implements Callable<Integer> {
  @ParentCommand DbJobsCli root;
  @Spec CommandSpec spec;

  @Option(names = "--json", description = "print JSON for scripts")
  boolean json;

  @Override
  public Integer call() {
    List<NodeStatus> nodes = root.fleet().nodes();
    List<ClusterHealth> clusters = root.operations().health(null);
    Map<String, NodeHealth> health = new HashMap<>();
    clusters.forEach(c -> c.nodes().forEach(n -> health.put(c.cluster() + "/" + n.node(), n)));
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      List<Map<String, Object>> docs =
          nodes.stream()
              .map(
                  n -> {
                    @SuppressWarnings("unchecked")
                    Map<String, Object> m =
                        new LinkedHashMap<>(Json.MAPPER.convertValue(n, Map.class));
                    m.put("health", health.get(n.cluster() + "/" + n.name()));
                    return m;
                  })
              .toList();
      out.println(Json.write(docs));
    } else {
      Table t =
          new Table(
              "NODE",
              "CLUSTER",
              "ADDRESS",
              "STATUS",
              "ROLE",
              "READ_ONLY",
              "VERSION",
              "REPLICATION",
              "HEALTH",
              "QUEUED",
              "RUNNING");
      for (NodeStatus n : nodes) {
        t.row(
            n.name(),
            n.cluster(),
            n.address(),
            n.up() ? "up" : "DOWN",
            n.role(),
            n.up() ? (n.readOnly() ? "yes" : "no") : null,
            n.version(),
            n.replication() == null || n.replication().isEmpty() ? null : n.replication(),
            healthCell(health.get(n.cluster() + "/" + n.name())),
            n.up() ? n.queued() : null,
            n.up() ? n.running() : null);
      }
      t.print(out);
      for (NodeStatus n : nodes) {
        if (!n.up()) {
          out.println(n.name() + ": " + n.error());
        }
      }
      for (ClusterHealth c : clusters) {
        if (c.problem() != null) {
          out.println("cluster " + c.cluster() + ": " + c.problem());
        }
        for (NodeHealth h : c.nodes()) {
          if (h.reachable() && !ClusterDiagnosis.fine(h.diagnosis())) {
            out.println(h.node() + ": " + h.summary());
          }
          if (h.shunned() != null) {
            out.println(
                h.node()
                    + ": shunned by "
                    + h.shunned().by()
                    + " at "
                    + h.shunned().since()
                    + (h.shunned().reason().isEmpty() ? "" : ": " + h.shunned().reason()));
          }
        }
      }
    }
    out.flush();
    return nodes.stream().allMatch(NodeStatus::up)
        ? 0
        : io.dbjobs.common.ErrorCode.NODE_UNREACHABLE.exitStatus();
  }

  private static String healthCell(NodeHealth h) {
    if (h == null) {
      return null;
    }
    return h.diagnosis().label() + (h.shunned() == null ? "" : " (shunned)");
  }
}
