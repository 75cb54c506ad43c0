package io.dbjobs.manager.cli;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.agentapi.AgentApi;
import io.dbjobs.common.auth.KeyRing;
import io.dbjobs.common.time.Durations;
import io.dbjobs.manager.config.ManagerConfig;
import io.dbjobs.manager.config.NodeConfig;
import io.dbjobs.manager.fleet.AgentClient;
import io.dbjobs.manager.fleet.NodeConnections;
import io.dbjobs.manager.keys.NodeKeyRings;
import io.dbjobs.manager.keys.RotateKeys;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(
    mixinStandardHelpOptions = true,
    name = "keys",
    description = {
      "Manage the job keys: one per node, shared by the manager (security.keysDir/<node>.keys)"
          + " and the node's agent (security.keyFile of its agent.yml). The manager seals every"
          + " job it enqueues with the node's key; the agent runs only jobs whose seal verifies."
          + " See docs/security.md.",
      "",
      "Examples:",
      "  dbjobs keys init --all          # create a key file for every node that has none",
      "  dbjobs keys list                # key ids per node, and whether its agent holds them",
      "  dbjobs keys rotate --node db2   # new key for db2; queued jobs keep running"
    },
    subcommands = {KeysCommand.Init.class, KeysCommand.ListKeys.class, KeysCommand.Rotate.class})
final class KeysCommand implements Runnable {
  @ParentCommand DbJobsCli root;
  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Which nodes a subcommand works on. */
  static final class Which {
    @Option(names = "--node", paramLabel = "NODE", description = "one node")
    String node;

    @Option(names = "--cluster", paramLabel = "CLUSTER", description = "every node of a cluster")
    String cluster;

    @Option(names = "--all", description = "every configured node")
    boolean all;

    List<NodeConfig> nodes(ManagerConfig config) {
      if (node != null) {
        return List.of(config.node(node));
      }
      if (cluster != null) {
        return config.cluster(cluster).nodes();
      }
      return config.nodes();
    }
  }

  @Command(
      mixinStandardHelpOptions = true,
      name = "init",
      description = {
        "Create a key file for nodes that have none (never overwrites one), and say how to install"
            + " it on the node: the same file becomes the agent's security.keyFile, owned by the"
            + " agent's user, mode 0600."
      })
  static final class Init implements Callable<Integer> {
    @ParentCommand KeysCommand keys;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Which which;

    @Override
    public Integer call() {
      ManagerConfig config = keys.root.config();
      PrintWriter out = keys.spec.commandLine().getOut();
      NodeKeyRings rings = new NodeKeyRings(config.security(), Clock.systemUTC());
      for (NodeConfig n : which.nodes(config)) {
        Path file = config.security().keyFile(n.name());
        if (rings.exists(n.name())) {
          out.println(n.name() + ": " + file + " exists (keys " + rings.ring(n.name()).ids() + ")");
          continue;
        }
        rings.replace(KeyRing.generate(n.name()));
        out.println(
            n.name()
                + ": created "
                + file
                + " (key "
                + rings.ring(n.name()).current().id()
                + "); install it on "
                + n.database().host()
                + " as the agent's security.keyFile, e.g.: install -m 600 -o dbjobs -g dbjobs "
                + file
                + " /var/lib/dbjobs/keys/agent.keys");
      }
      out.flush();
      return 0;
    }
  }

  @Command(
      mixinStandardHelpOptions = true,
      name = "list",
      description = {
        "Show each node's key ids (current first) as the manager holds them, and, where the"
            + " cluster sets agentToken, whether the node's agent holds the current one. Exit 7"
            + " when an agent does not hold its node's current key."
      })
  static final class ListKeys implements Callable<Integer> {
    @ParentCommand KeysCommand keys;

    @ArgGroup(exclusive = true)
    Which which = new Which();

    @Option(names = "--json", description = "print JSON for scripts")
    boolean json;

    @Override
    public Integer call() {
      ManagerConfig config = keys.root.config();
      PrintWriter out = keys.spec.commandLine().getOut();
      NodeKeyRings rings = new NodeKeyRings(config.security(), Clock.systemUTC());
      AgentClient agents = new AgentClient(config.connectTimeout());
      List<Map<String, Object>> rows = new ArrayList<>();
      boolean mismatch = false;
      for (NodeConfig n : (which == null ? new Which() : which).nodes(config)) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("node", n.name());
        List<String> mine = null;
        try {
          mine = rings.ring(n.name()).ids();
          row.put("manager", mine);
        } catch (DbJobsException e) {
          row.put("manager", null);
          row.put("problem", e.getMessage());
        }
        String agentState = "not checked (no agentToken)";
        if (config.cluster(n.cluster()).agentToken() != null) {
          try {
            AgentApi.Health h = agents.health(n);
            row.put("agent", h.jobKeys());
            if (mine != null && h.jobKeys() != null && h.jobKeys().contains(mine.get(0))) {
              agentState = "holds the current key";
            } else {
              agentState = "DOES NOT hold the current key";
              mismatch = true;
            }
          } catch (DbJobsException e) {
            agentState = "unreachable: " + e.getMessage();
          }
        }
        row.put("agentState", agentState);
        rows.add(row);
      }
      if (json) {
        out.println(Json.write(rows));
      } else {
        Table t = new Table("NODE", "MANAGER KEYS", "AGENT KEYS", "AGENT");
        for (Map<String, Object> r : rows) {
          t.row(
              (String) r.get("node"),
              r.get("manager") == null ? "none: " + r.get("problem") : r.get("manager"),
              r.get("agent"),
              r.get("agentState"));
        }
        t.print(out);
      }
      out.flush();
      return mismatch ? ErrorCode.PREFLIGHT_REFUSED.exitStatus() : 0;
    }
  }

  @Command(
      mixinStandardHelpOptions = true,
      name = "rotate",
      description = {
        "Give nodes a new job key, one node at a time, without a moment in which jobs fail: the"
            + " new key goes to the agent in a rotate-key job sealed with the current key (the key"
            + " itself encrypted); once the agent wrote it, the manager seals with it. The agent"
            + " keeps the previous key, so jobs sealed before still run. A failed rotation"
            + " changes nothing on the manager's side.",
        "It works directly against the nodes, on the host whose security.keysDir the daemon"
            + " uses (a running daemon picks up the new key file by itself)."
      })
  static final class Rotate implements Callable<Integer> {
    @ParentCommand KeysCommand keys;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Which which;

    @Option(
        names = "--timeout",
        defaultValue = "2m",
        paramLabel = "DURATION",
        description = "how long each node's agent may take (default ${DEFAULT-VALUE})")
    String timeout;

    @Override
    public Integer call() throws InterruptedException {
      ManagerConfig config = keys.root.config();
      PrintWriter out = keys.spec.commandLine().getOut();
      int failed = 0;
      DbJobsException last = null;
      try (NodeConnections connections = new NodeConnections(config)) {
        RotateKeys rotate = new RotateKeys(connections);
        for (NodeConfig n : which.nodes(config)) {
          try {
            RotateKeys.Rotated r =
                rotate.rotate(n, DbJobsCli.who(), Durations.parse(timeout), j -> {});
            out.println(
                n.name() + ": keys " + r.before() + " -> " + r.after() + " (current first)");
          } catch (DbJobsException e) {
            failed++;
            last = e;
            out.println(n.name() + ": " + e.getMessage());
          }
          out.flush();
        }
      }
      if (last != null) {
        throw new DbJobsException(
            last.code(), failed + " node(s) kept their old key; see above", last);
      }
      return 0;
    }
  }
}
