package io.dbjobs.manager.cli;

import io.dbjobs.manager.fleet.NodeStatus;
import java.io.PrintWriter;
import java.util.List;
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
          + " threads and lag, queued and running jobs.",
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
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      out.println(Json.write(nodes));
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
            n.up() ? n.queued() : null,
            n.up() ? n.running() : null);
      }
      t.print(out);
      for (NodeStatus n : nodes) {
        if (!n.up()) {
          out.println(n.name() + ": " + n.error());
        }
      }
    }
    out.flush();
    return nodes.stream().allMatch(NodeStatus::up)
        ? 0
        : io.dbjobs.common.ErrorCode.NODE_UNREACHABLE.exitStatus();
  }
}
