package io.dbjobs.manager.cli;

import io.dbjobs.common.health.Diagnosis;
import io.dbjobs.manager.health.ClusterDiagnosis;
import io.dbjobs.manager.operations.OperationsApi;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(
    name = "welcome",
    mixinStandardHelpOptions = true,
    description = {
      "Bring a shunned node back into service: schedules, donor choice and the automatic policy"
          + " consider it again. Recover it first if its replication is not healthy (the command"
          + " says so)."
    },
    footer = {
      "",
      "Examples:",
      "  dbjobs recover --node db3 && dbjobs welcome --node db3",
      "",
      "Exit status: 0 done (also when it was not shunned); 5 no such node."
    })
final class WelcomeCommand implements Callable<Integer> {
  @ParentCommand DbJobsCli root;
  @Spec CommandSpec spec;

  @Option(names = "--node", required = true, paramLabel = "NODE", description = "the node")
  String node;

  @Option(names = "--json", description = "print JSON for scripts")
  boolean json;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    OperationsApi.WelcomeDoc d = root.operations().welcome(node, DbJobsCli.who());
    if (json) {
      out.println(Json.write(d));
    } else {
      out.println(
          d.wasShunned()
              ? d.node() + " is back in service"
              : d.node() + " was not shunned; nothing changed");
      if (!ClusterDiagnosis.fine(Diagnosis.fromLabel(d.diagnosis()))) {
        out.println(
            "its replication is "
                + d.diagnosis()
                + " ("
                + d.summary()
                + "); repair it: dbjobs recover --node "
                + d.node());
      }
    }
    out.flush();
    return 0;
  }
}
