package io.dbjobs.manager.cli;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.manager.config.ClusterPolicy;
import io.dbjobs.manager.operations.OperationsApi;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(
    name = "policy",
    mixinStandardHelpOptions = true,
    description = {
      "Show or change how dbjobs acts on a cluster on its own:",
      "  manual       schedules run; nothing is repaired without an operator (the default)",
      "  automatic    schedules run; the daemon's watchdog recovers a replica whose diagnosis is"
          + " recoverable (one at a time, with back-off, never a shunned node; a reseed only with"
          + " autoReseed: true)",
      "  maintenance  schedules pause (each skipped fire is logged and counted) and nothing"
          + " automatic runs; operator commands still work",
      "A policy set here overrides clusters[].policy of manager.yml, survives daemon restarts and"
          + " holds for every manager of a clustered setup; --clear goes back to manager.yml's."
    },
    footer = {
      "",
      "Examples:",
      "  dbjobs policy",
      "  dbjobs policy --cluster prod maintenance --reason 'upgrade to 11.4'",
      "  dbjobs policy --cluster prod automatic",
      "  dbjobs policy --cluster prod --clear",
      "",
      "Exit status: 0 done; 2 usage error; 5 no such cluster."
    })
final class PolicyCommand implements Callable<Integer> {
  @ParentCommand DbJobsCli root;
  @Spec CommandSpec spec;

  @Option(names = "--cluster", paramLabel = "CLUSTER", description = "the cluster to change")
  String cluster;

  @Parameters(
      arity = "0..1",
      paramLabel = "POLICY",
      description = "manual, automatic or maintenance")
  String policy;

  @Option(names = "--reason", paramLabel = "TEXT", description = "why, for the others")
  String reason;

  @Option(names = "--clear", description = "go back to the policy in manager.yml")
  boolean clear;

  @Option(names = "--json", description = "print JSON for scripts")
  boolean json;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    if (policy == null && !clear) {
      List<OperationsApi.PolicyDoc> all = root.operations().policies();
      List<OperationsApi.PolicyDoc> shown =
          cluster == null ? all : all.stream().filter(p -> p.cluster().equals(cluster)).toList();
      if (cluster != null && shown.isEmpty()) {
        throw new DbJobsException(ErrorCode.NOT_FOUND, "no cluster named '" + cluster + "'");
      }
      if (json) {
        out.println(Json.write(shown));
      } else {
        Table t = new Table("CLUSTER", "POLICY", "MANAGER.YML", "SOURCE");
        shown.forEach(p -> t.row(p.cluster(), p.policy(), p.configured(), p.source()));
        t.print(out);
      }
      out.flush();
      return 0;
    }
    if (cluster == null) {
      throw new DbJobsException(
          ErrorCode.USAGE,
          "changing a policy needs --cluster (see dbjobs policy for the clusters)");
    }
    if (clear && policy != null) {
      throw new DbJobsException(ErrorCode.USAGE, "give a POLICY or --clear, not both");
    }
    OperationsApi.PolicyDoc d =
        root.operations()
            .setPolicy(
                cluster, clear ? null : ClusterPolicy.parse(policy), reason, DbJobsCli.who());
    if (json) {
      out.println(Json.write(d));
    } else {
      out.println("cluster " + d.cluster() + " is now " + d.policy() + " (" + d.source() + ")");
    }
    out.flush();
    return 0;
  }
}
