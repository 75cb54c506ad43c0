package io.dbjobs.it;

import io.dbjobs.agent.Agent;
import io.dbjobs.agent.AgentConfig;
import io.dbjobs.manager.cli.DbJobsCli;
import io.dbjobs.testkit.ConfigFiles;
import io.dbjobs.testkit.DbBackend;
import io.dbjobs.testkit.DbServer;
import io.dbjobs.testkit.DbUsers;
import io.dbjobs.testkit.FreePorts;
import io.dbjobs.testkit.MariaDbCluster;
import io.dbjobs.testkit.ServerOptions;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;

/**
 * A whole dbjobs installation for one test class: a real primary and replicas, the dbjobs users
 * from sql/grants.sql, an in-process agent per node, and a manager.yml for the CLI.
 */
final class FleetFixture implements AutoCloseable {
  static final String AGENT_PASSWORD = "agent-" + UUID.randomUUID();
  static final String MANAGER_PASSWORD = "manager-" + UUID.randomUUID();
  static final String AGENT_TOKEN = "token-" + UUID.randomUUID();

  /** The manager's receiver on any free loopback port, advertised as loopback. */
  static final String RECEIVER =
      "receiver:\n  bind: 127.0.0.1\n  port: 0\n  advertise: 127.0.0.1\n";

  final MariaDbCluster cluster;
  final String prefix;
  final Path dir;
  final Path managerYml;
  final Path agentTokenFile;
  private final Map<String, Integer> agentPorts = new HashMap<>();
  private final Map<String, Integer> streamPorts = new HashMap<>();
  final Path replPasswordFile;
  private final Set<String> withEndpoint = new HashSet<>();
  private final List<Agent> agents = new ArrayList<>();
  private final String receiver;
  private Function<DbServer, String> agentStream = s -> "";
  private String agentReseed = "";

  FleetFixture(String prefix, int size, Path dir, boolean reseedable) {
    this(prefix, size, dir, reseedable, ServerOptions.defaults(), RECEIVER);
  }

  /**
   * As above, the servers started with {@code options} (e.g. a global sql_mode), and {@code
   * receiver} as the manager's receiver section (e.g. with TLS).
   */
  FleetFixture(
      String prefix,
      int size,
      Path dir,
      boolean reseedable,
      ServerOptions options,
      String receiver) {
    this.dir = dir;
    this.prefix = prefix;
    this.receiver = receiver;
    this.cluster = MariaDbCluster.start(DbBackend.fromSystemProperty(), prefix, size, options);
    try {
      for (DbServer s : cluster.nodes()) {
        DbUsers.create(s, AGENT_PASSWORD, MANAGER_PASSWORD, reseedable);
      }
      Path mpw = ConfigFiles.secret(dir, "manager.password", MANAGER_PASSWORD);
      agentTokenFile = ConfigFiles.secret(dir, "agent.token", AGENT_TOKEN);
      cluster.nodes().forEach(n -> agentPorts.put(n.name(), FreePorts.next()));
      cluster.nodes().forEach(n -> streamPorts.put(n.name(), FreePorts.next()));
      replPasswordFile =
          ConfigFiles.secret(dir, "repl.password", DbBackend.local().replicationPassword());
      managerYml =
          ConfigFiles.write(
              dir.resolve("manager.yml"),
              ConfigFiles.managerYaml(
                  prefix,
                  cluster.nodes(),
                  mpw,
                  dir.resolve("catalog"),
                  agentPorts,
                  streamPorts,
                  agentTokenFile,
                  receiver));
    } catch (RuntimeException e) {
      cluster.close();
      throw e;
    }
  }

  /**
   * Another manager.yml for this fleet, named {@code file}: its nodes in {@code order}, {@code
   * clusterExtra} under the cluster (e.g. schedules), {@code extra} at the top level (e.g. api).
   */
  Path managerYaml(String file, List<DbServer> order, String clusterExtra, String extra) {
    return ConfigFiles.write(
        dir.resolve(file),
        ConfigFiles.managerYaml(
            prefix,
            order,
            dir.resolve("manager.password"),
            dir.resolve("catalog"),
            agentPorts,
            streamPorts,
            agentTokenFile,
            clusterExtra.indent(4) + receiver + extra));
  }

  /**
   * Lines to add under {@code stream:} of the agent.yml of each node (e.g. its TLS certificate),
   * for agents started from now on; indented by the caller.
   */
  void agentStreamYaml(Function<DbServer, String> lines) {
    this.agentStream = lines;
  }

  /**
   * The {@code reseed:} section's lines of every agent.yml from now on (indented by the caller), in
   * place of the default replication password (e.g. another replication user and password).
   */
  void agentReseedYaml(String lines) {
    this.agentReseed = lines;
  }

  /** The stream port of {@code node}'s agent (its reseed listener). */
  int streamPort(DbServer node) {
    return streamPorts.get(node.name());
  }

  DbServer node(int oneBased) {
    return cluster.node(oneBased);
  }

  /**
   * Starts an in-process agent for {@code server}; {@code extra} is appended to its agent.yml.
   * Unless {@code extra} sets them, its service commands drive the test server's control script,
   * never the machine's own database service, and it polls every 100 ms.
   */
  Agent startAgent(DbServer server, String extra) {
    // the node's first agent serves its HTTP endpoint on the port manager.yml names
    String yaml = agentYaml(server, extra, withEndpoint.add(server.name()));
    Agent a =
        Agent.start(AgentConfig.fromYaml(yaml, server.name() + "-agent.yml", System::getenv, dir));
    agents.add(a);
    return a;
  }

  /**
   * Writes the agent.yml {@link #startAgent} would use for {@code server} (without the HTTP
   * endpoint of manager.yml: it listens on any free port) to {@code file}, for an agent run as a
   * separate process ({@link ChildJvm#agent}).
   */
  Path agentConfigFile(DbServer server, String extra, String file) {
    return ConfigFiles.write(dir.resolve(file), agentYaml(server, extra, false));
  }

  private String agentYaml(DbServer server, String extra, boolean endpoint) {
    Path pw = ConfigFiles.secret(dir, "agent.password", AGENT_PASSWORD);
    Path work = dir.resolve("work-" + server.name());
    String service = extra.contains("service:") ? "" : ConfigFiles.serviceYaml(server);
    String http =
        endpoint
            ? "http:\n  port: "
                + agentPorts.get(server.name())
                + "\n  token: {file: "
                + agentTokenFile
                + "}\n"
            : "http:\n  port: 0\n";
    String stream =
        "stream:\n  port: "
            + streamPorts.get(server.name())
            + "\n"
            + agentStream.apply(server)
            + "reseed:\n"
            + (agentReseed.isEmpty()
                ? "  replicationPassword: {file: " + replPasswordFile + "}\n"
                : agentReseed);
    return ConfigFiles.agentYaml(
        server,
        pw,
        work,
        http
            + stream
            + (extra.contains("jobs:") ? "" : "jobs:\n  pollInterval: 100ms\n")
            + service
            + extra);
  }

  void startAgents() {
    cluster.nodes().forEach(s -> startAgent(s, ""));
  }

  /** Starts agents for every node but {@code except}. */
  void startAgentsExcept(DbServer except) {
    cluster.nodes().stream().filter(s -> s != except).forEach(s -> startAgent(s, ""));
  }

  /** What one CLI run printed and how it exited. */
  record Run(int exit, String out, String err) {
    @Override
    public String toString() {
      return "exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
  }

  /** Runs {@code dbjobs --config manager.yml ARGS} in-process. */
  Run cli(String... args) {
    return cliWith(managerYml, args);
  }

  /** Runs {@code dbjobs --config CONFIG ARGS} in-process. */
  Run cliWith(Path config, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    List<String> all = new ArrayList<>(List.of("--config", config.toString()));
    all.addAll(List.of(args));
    int exit =
        DbJobsCli.run(
            new PrintWriter(out, true), new PrintWriter(err, true), all.toArray(String[]::new));
    return new Run(exit, out.toString(), err.toString());
  }

  @Override
  public void close() {
    agents.forEach(a -> a.stop("test over"));
    cluster.close();
  }
}
