package io.dbjobs.manager.cli;

import io.dbjobs.manager.state.Shun;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(
    name = "shun",
    mixinStandardHelpOptions = true,
    description = {
      "Take a node out of service for dbjobs: schedules skip it, it is never chosen as a donor or"
          + " a backup source, and the automatic policy leaves it alone. Commands naming it still"
          + " work (recover, reseed, submit). It stays shunned across daemon restarts and for every"
          + " manager of a clustered setup, until dbjobs welcome.",
      "Without a node: list the shunned nodes."
    },
    footer = {
      "",
      "Examples:",
      "  dbjobs shun --node db3 --reason 'disk replacement, ticket 4711'",
      "  dbjobs shun",
      "",
      "Exit status: 0 done; 5 no such node."
    })
final class ShunCommand implements Callable<Integer> {
  @ParentCommand DbJobsCli root;
  @Spec CommandSpec spec;

  @Option(names = "--node", paramLabel = "NODE", description = "the node to shun")
  String node;

  @Option(names = "--reason", paramLabel = "TEXT", description = "why, for the others")
  String reason;

  @Option(names = "--json", description = "print JSON for scripts")
  boolean json;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    if (node == null) {
      var shuns = root.operations().shuns();
      if (json) {
        out.println(Json.write(shuns));
      } else if (shuns.isEmpty()) {
        out.println("no node is shunned");
      } else {
        Table t = new Table("NODE", "SINCE", "BY", "REASON");
        for (Shun s : shuns) {
          t.row(s.node(), s.since(), s.by(), s.reason().isEmpty() ? null : s.reason());
        }
        t.print(out);
      }
      out.flush();
      return 0;
    }
    Shun s = root.operations().shun(node, reason, DbJobsCli.who());
    if (json) {
      out.println(Json.write(s));
    } else {
      out.println(
          s.node()
              + " is shunned"
              + (s.reason().isEmpty() ? "" : " (" + s.reason() + ")")
              + ": schedules skip it, it is no donor or backup source, the automatic policy"
              + " leaves it alone. Bring it back with: dbjobs welcome --node "
              + s.node());
    }
    out.flush();
    return 0;
  }
}
