package io.dbjobs.manager.cli;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.time.Steps;
import io.dbjobs.manager.api.ApiClient;
import io.dbjobs.manager.api.ApiFleet;
import io.dbjobs.manager.config.ManagerConfig;
import io.dbjobs.manager.fleet.DirectFleet;
import io.dbjobs.manager.fleet.Fleet;
import io.dbjobs.manager.health.HealthReader;
import io.dbjobs.manager.operations.ApiOperations;
import io.dbjobs.manager.operations.DirectOperations;
import io.dbjobs.manager.operations.Operations;
import io.dbjobs.manager.recover.Recover;
import io.dbjobs.manager.state.OperatorStates;
import java.io.PrintWriter;
import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code dbjobs}: the manager's command line. */
@Command(
    name = "dbjobs",
    mixinStandardHelpOptions = true,
    versionProvider = DbJobsCli.Version.class,
    subcommands = {
      NodesCommand.class,
      JobsCommand.class,
      SubmitCommand.class,
      CancelCommand.class,
      BackupCommand.class,
      BackupsCommand.class,
      ReseedCommand.class,
      FlashbackCommand.class,
      RecoverCommand.class,
      ReprovisionCommand.class,
      ShunCommand.class,
      WelcomeCommand.class,
      PolicyCommand.class,
      LogsCommand.class,
      KeysCommand.class,
      ServeCommand.class,
      CommandLine.HelpCommand.class
    },
    description = {
      "Backups and replica reseeds for MySQL/MariaDB fleets.",
      "",
      "dbjobs enqueues jobs into replication_manager_schema.jobs on each node; the dbjobs-agent"
          + " on that node claims and runs them and writes progress and results back.",
      "",
      "Where commands go: when manager.yml sets api.url (or --api URL is given), they talk to"
          + " the running daemon (dbjobs serve) over its HTTP API with api.token; otherwise, or"
          + " with --direct, they work directly against the nodes listed in the configuration."
          + " Both give the same answers.",
      ""
    },
    footer = {
      "",
      "Examples:",
      "  dbjobs nodes",
      "  dbjobs submit --node db2 --task optimize --wait",
      "  dbjobs jobs --node db2 --state failed",
      "  dbjobs cancel --node db2 42",
      "  dbjobs backup --node db2 --type physical",
      "  dbjobs backups",
      "  dbjobs recover --node db3",
      "  dbjobs shun --node db3 --reason 'disk replacement'",
      "  dbjobs policy --cluster prod maintenance --reason 'upgrade to 11.4'",
      "  dbjobs logs collect --node db2 --kind error",
      "  dbjobs serve",
      "",
      "Exit status: 0 ok; 1 the job failed or was cancelled; 2 usage error; 3 invalid"
          + " configuration; 4 a node cannot be reached; 5 not found; 6 timed out; 7 refused by"
          + " a safety check; 10 internal error."
    })
public final class DbJobsCli implements Runnable {
  @Option(
      names = {"-c", "--config"},
      paramLabel = "FILE",
      defaultValue = "${DBJOBS_CONFIG:-/etc/dbjobs/manager.yml}",
      description = "manager configuration (default: $DBJOBS_CONFIG or /etc/dbjobs/manager.yml)",
      scope = CommandLine.ScopeType.INHERIT)
  Path config;

  @Option(
      names = "--api",
      paramLabel = "URL",
      description =
          "talk to the dbjobs daemon at URL, e.g. http://127.0.0.1:4446 (default: api.url from"
              + " the configuration; without either, commands work directly against the nodes)",
      scope = CommandLine.ScopeType.INHERIT)
  String api;

  @Option(
      names = "--direct",
      description = "work directly against the nodes even when api.url is set",
      scope = CommandLine.ScopeType.INHERIT)
  boolean direct;

  /** What each command's help says about where it goes. */
  static final String WHERE =
      "Goes through the daemon's HTTP API when manager.yml sets api.url or --api URL is given;"
          + " otherwise, or with --direct, directly to the nodes.";

  private Fleet fleet;
  private Operations operations;
  private ManagerConfig loaded;

  public static void main(String[] args) {
    Steps.mark("main");
    int status = run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args);
    Steps.mark("exit");
    System.exit(status);
  }

  /** Runs a command line with the given outputs and returns its exit status. */
  public static int run(PrintWriter out, PrintWriter err, String... args) {
    DbJobsCli root = new DbJobsCli();
    CommandLine cl = new CommandLine(root);
    cl.setOut(out);
    cl.setErr(err);
    cl.setUsageHelpWidth(100);
    // the task list in `submit --help` comes from the job model, so it cannot go stale
    CommandLine.Model.UsageMessageSpec submitUsage =
        cl.getSubcommands().get("submit").getCommandSpec().usageMessage();
    java.util.List<String> footer =
        new java.util.ArrayList<>(java.util.List.of(submitUsage.footer()));
    footer.addAll(SubmitCommand.taskHelp().lines().toList());
    submitUsage.footer(footer.toArray(String[]::new));
    for (String name :
        java.util.List.of(
            "nodes", "jobs", "submit", "cancel", "recover", "shun", "welcome", "policy")) {
      CommandLine.Model.UsageMessageSpec u =
          cl.getSubcommands().get(name).getCommandSpec().usageMessage();
      java.util.List<String> d = new java.util.ArrayList<>(java.util.List.of(u.description()));
      d.add(WHERE);
      u.description(d.toArray(String[]::new));
    }
    cl.setExecutionExceptionHandler(
        (e, cmd, parsed) -> {
          DbJobsException d = DbJobsException.from(e, "dbjobs failed");
          cmd.getErr().println("dbjobs: " + d.getMessage());
          cmd.getErr().flush();
          return d.code().exitStatus();
        });
    try {
      return cl.execute(args);
    } finally {
      root.close();
    }
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(
        new CommandLine(this), "a command is required; see dbjobs --help");
  }

  ManagerConfig config() {
    if (loaded == null) {
      Steps.mark("command line parsed");
      loaded = ManagerConfig.load(config, System::getenv);
    }
    return loaded;
  }

  /**
   * The fleet commands work with: the daemon's API when {@code --api} or {@code api.url} says so
   * (and not {@code --direct}), else the nodes directly.
   */
  Fleet fleet() {
    if (fleet == null) {
      String url = daemonUrl();
      if (url == null) {
        fleet = new DirectFleet(config());
      } else {
        if (config().api().token() == null) {
          throw new DbJobsException(
              ErrorCode.CONFIG_INVALID,
              "talking to the daemon at "
                  + url
                  + " needs its token: set api.token in "
                  + config
                  + " ({file: /etc/dbjobs/api.token}), or use --direct");
        }
        java.time.Duration timeout = config().connectTimeout().multipliedBy(6).plusSeconds(30);
        fleet = new ApiFleet(new ApiClient(url, config().api().token(), timeout));
      }
    }
    return fleet;
  }

  /**
   * The daemon's URL when commands go through it ({@code --api}, else {@code api.url}, unless
   * {@code --direct}); null when they work directly against the nodes. Deciding this builds
   * nothing: a direct command opens only the connections it uses.
   */
  String daemonUrl() {
    if (direct && api != null) {
      throw new CommandLine.ParameterException(
          new CommandLine(this), "--api and --direct contradict each other; give one");
    }
    return direct ? null : api != null ? api : config().api().url();
  }

  /**
   * Health, shun/welcome and policies: through the daemon when {@link #fleet()} goes there, else
   * directly against the nodes and the operator state.
   */
  Operations operations() {
    if (operations == null) {
      if (fleet() instanceof ApiFleet a) {
        operations = new ApiOperations(a.client());
      } else {
        DirectFleet d = (DirectFleet) fleet();
        operations =
            new DirectOperations(
                config(),
                new HealthReader(
                    config(),
                    d.connections(),
                    OperatorStates.of(config()),
                    java.time.Clock.systemUTC()),
                OperatorStates.of(config()),
                java.time.Clock.systemUTC());
      }
    }
    return operations;
  }

  /** The recover verb, working directly against the nodes (null through a daemon). */
  Recover recoverDirect() {
    if (operations() instanceof DirectOperations d) {
      return new Recover(config(), d.reader(), fleet());
    }
    return null;
  }

  /** "user@host", recorded in submitted_by. */
  static String who() {
    String host;
    try {
      host = java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.net.UnknownHostException e) {
      host = "unknown-host";
    }
    return System.getProperty("user.name") + "@" + host + " (dbjobs cli)";
  }

  private void close() {
    if (operations != null) {
      operations.close();
    }
    if (fleet != null) {
      fleet.close();
    }
  }

  static ErrorCode usage() {
    return ErrorCode.USAGE;
  }

  /** The build's version from the jar manifest. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = DbJobsCli.class.getPackage().getImplementationVersion();
      return new String[] {"dbjobs " + (v == null ? "dev" : v)};
    }
  }
}
