package io.dbjobs.manager.cli;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.manager.config.NodeConfig;
import io.dbjobs.manager.fleet.NodeStatus;
import io.dbjobs.manager.health.ClusterHealth;
import io.dbjobs.manager.health.NodeHealth;
import io.dbjobs.manager.reprovision.ReprovisionPlan;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(
    name = "reprovision",
    mixinStandardHelpOptions = true,
    description = {
      "Plan the rebuild of a whole cluster from a node of another cluster: maintenance, its"
          + " primary first (ending writable), then every other node from it, each repositioned,"
          + " every other-site replication connection set up again, the policy put back.",
      "Only --plan is built: it prints the steps, checks what would refuse them, and changes"
          + " nothing. Run the steps with dbjobs policy and dbjobs reseed."
    },
    footer = {
      "",
      "Examples:",
      "  dbjobs reprovision --cluster east --from west3 --plan",
      "",
      "Exit status: 0 planned; 2 usage (also without --plan); 5 no such cluster or node;"
          + " 7 refused (the reason is printed)."
    })
final class ReprovisionCommand implements Callable<Integer> {
  @ParentCommand DbJobsCli root;
  @Spec CommandSpec spec;

  @Option(names = "--cluster", required = true, paramLabel = "CLUSTER", description = "to rebuild")
  String cluster;

  @Option(
      names = "--from",
      required = true,
      paramLabel = "NODE",
      description = "the donor, a node of another cluster")
  String from;

  @Option(
      names = "--method",
      defaultValue = "physicaldonor",
      paramLabel = "METHOD",
      description = "physicaldonor (default), physicalbackup or logicalmaster")
  String method;

  @Option(
      names = "--parallel",
      defaultValue = "1",
      paramLabel = "N",
      description = "nodes rebuilt at once after the primary (default ${DEFAULT-VALUE})")
  int parallel;

  @Option(names = "--plan", description = "print the steps without doing anything")
  boolean plan;

  @Override
  public Integer call() {
    if (!plan) {
      throw new DbJobsException(
          ErrorCode.USAGE,
          "dbjobs reprovision runs only with --plan in this version: it prints the steps, which"
              + " you run with dbjobs policy and dbjobs reseed");
    }
    NodeConfig donor = root.config().node(from);
    root.config().cluster(cluster); // a cluster that does not exist: NOT_FOUND
    Map<String, NodeStatus> status = new HashMap<>();
    for (NodeStatus n : root.fleet().nodes()) {
      status.put(n.name(), n);
    }
    ClusterHealth health =
        root.operations().health(cluster).stream()
            .filter(c -> c.cluster().equals(cluster))
            .findFirst()
            .orElseThrow(
                () -> new DbJobsException(ErrorCode.NOT_FOUND, "no health for cluster " + cluster));
    List<ReprovisionPlan.Node> nodes = new ArrayList<>();
    for (NodeConfig n : root.config().cluster(cluster).nodes()) {
      NodeStatus s = status.get(n.name());
      NodeHealth h =
          health.nodes().stream().filter(x -> x.node().equals(n.name())).findFirst().orElse(null);
      nodes.add(
          new ReprovisionPlan.Node(
              n.name(),
              s != null && s.up(),
              s == null ? null : s.version(),
              h == null ? List.of() : h.channels()));
    }
    NodeStatus d = status.get(donor.name());
    List<String> steps =
        ReprovisionPlan.steps(
            new ReprovisionPlan.Input(
                cluster,
                health.primary(),
                health.policy(),
                nodes,
                donor.name(),
                donor.cluster(),
                d != null && d.up(),
                d == null ? null : d.version(),
                method,
                parallel));
    PrintWriter out = spec.commandLine().getOut();
    out.println("plan: reprovision " + cluster + " from " + donor.name() + " by " + method);
    steps.forEach(out::println);
    out.println("nothing was done (--plan)");
    out.flush();
    return 0;
  }
}
