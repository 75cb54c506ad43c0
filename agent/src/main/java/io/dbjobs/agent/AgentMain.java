package io.dbjobs.agent;

import io.dbjobs.agent.loop.AgentVersion;
import io.dbjobs.agent.task.ServerProbe;
import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.auth.KeyRing;
import io.dbjobs.common.config.SecretFileAccess;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code dbjobs-agent}: the per-node service. */
@Command(
    name = "dbjobs-agent",
    mixinStandardHelpOptions = true,
    versionProvider = AgentMain.Version.class,
    description = {
      "Runs the dbjobs jobs of one database node: polls replication_manager_schema.jobs on its"
          + " own server, claims queued jobs, runs them with the database's own tools, and writes"
          + " progress and results back. Runs until SIGTERM; a job running then ends as failed"
          + " with \"agent stopped\".",
      ""
    },
    footer = {
      "",
      "Exit status: 0 stopped cleanly; 3 invalid configuration; 4 database unreachable (--check).",
      "Configuration reference: deploy/agent.yml and README.md."
    })
public final class AgentMain implements Callable<Integer> {
  private static final Logger LOG = LoggerFactory.getLogger(AgentMain.class);

  @Option(
      names = {"-c", "--config"},
      required = true,
      paramLabel = "FILE",
      description = "the agent's configuration (YAML), e.g. /etc/dbjobs/agent.yml")
  Path config;

  @Option(
      names = "--check",
      description =
          "validate the configuration, try the database once, print the effective settings, and exit")
  boolean check;

  public static void main(String[] args) {
    System.exit(run(args));
  }

  static int run(String... args) {
    return new CommandLine(new AgentMain())
        .setExecutionExceptionHandler(
            (e, cmd, parsed) -> {
              DbJobsException d = DbJobsException.from(e, "dbjobs-agent failed");
              cmd.getErr().println("dbjobs-agent: " + d.getMessage());
              return d.code().exitStatus();
            })
        .execute(args);
  }

  @Override
  public Integer call() throws Exception {
    AgentConfig cfg = AgentConfig.load(config, System::getenv);
    // the job keys before anything else: without them every job would be refused
    KeyRing keys = KeyRing.load(cfg.security().keyFile(), cfg.node());
    List<SecretFileAccess.Finding> secretFiles =
        SecretFileAccess.forHost(cfg.security().databaseServerUser()).check(cfg.secrets());
    if (check) {
      cfg.describe().forEach(System.out::println);
      System.out.println(
          "job keys of "
              + cfg.node()
              + " in "
              + cfg.security().keyFile()
              + ": "
              + keys.ids()
              + " (current first; dbjobs keys list on the manager shows its own)");
      secretFiles.forEach(f -> System.out.println(f.verdict() + ": " + f.message()));
    }
    refuseReadableSecrets(secretFiles);
    if (check) {
      boolean up = new ServerProbe(cfg.database(), cfg.connectTimeout()).answers();
      System.out.println(
          "database " + cfg.database().describe() + (up ? ": answers" : ": does not answer"));
      if (up) {
        ReplicationFilterCheck.warning(cfg).ifPresent(w -> System.out.println("WARN: " + w));
      }
      return up ? 0 : ErrorCode.NODE_UNREACHABLE.exitStatus();
    }
    Agent agent = Agent.start(cfg);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> agent.stop("SIGTERM"), "agent-shutdown"));
    LOG.info("dbjobs-agent {} started for node {}", AgentVersion.get(), cfg.node());
    agent.awaitStop();
    return 0;
  }

  /**
   * Logs every warning about the secret files and fails on a refusal.
   *
   * @throws DbJobsException CONFIG_INVALID listing the refused files
   */
  static void refuseReadableSecrets(List<SecretFileAccess.Finding> findings) {
    List<String> refused = new ArrayList<>();
    for (SecretFileAccess.Finding f : findings) {
      switch (f.verdict()) {
        case WARN -> LOG.warn("{}", f.message());
        case REFUSE -> refused.add(f.message());
        case OK -> {}
      }
    }
    if (!refused.isEmpty()) {
      throw new DbJobsException(ErrorCode.CONFIG_INVALID, String.join("\n", refused));
    }
  }

  /** Prints the build's version. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"dbjobs-agent " + AgentVersion.get()};
    }
  }
}
