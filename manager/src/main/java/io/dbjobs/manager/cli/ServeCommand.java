package io.dbjobs.manager.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import io.dbjobs.manager.config.ManagerConfig;
import io.dbjobs.manager.daemon.DaemonIntegrations;
import io.dbjobs.manager.daemon.ManagerDaemon;
import io.dbjobs.manager.schedule.QuartzTables;
import io.dbjobs.manager.work.BackgroundWork;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(
    mixinStandardHelpOptions = true,
    name = "serve",
    description = {
      "Run the manager daemon until SIGTERM: it owns the connections to every node, serves the"
          + " HTTP API the other commands use when manager.yml sets api.url, fires each cluster's"
          + " schedules (Quartz; a daily physical backup on a replica unless the cluster says"
          + " otherwise), and sweeps every node for jobs whose agent was lost.",
      "It keeps no state of its own: jobs live in the nodes' tables, so a restarted daemon picks"
          + " them up where they are. Logs go to stdout at INFO (DBJOBS_LOG_LEVEL=debug for"
          + " more); the effective configuration is logged at start, secrets masked.",
      "Always works directly against the nodes: --api and api.url do not apply."
    },
    footer = {
      "",
      "Examples:",
      "  dbjobs serve --config /etc/dbjobs/manager.yml",
      "  dbjobs serve --check",
      "  dbjobs serve --print-scheduler-ddl | mariadb dbjobs_scheduler",
      "",
      "Exit status: 0 stopped cleanly (143 when stopped by SIGTERM under systemd); 3 invalid"
          + " configuration; 4 the scheduler store cannot be reached."
    })
final class ServeCommand implements Callable<Integer> {
  @ParentCommand DbJobsCli root;
  @Spec CommandSpec spec;

  @Option(
      names = "--check",
      description =
          "validate the configuration, print the effective settings (secrets masked), exit")
  boolean check;

  @Option(
      names = "--print-scheduler-ddl",
      description =
          "print the SQL that creates Quartz's tables for scheduler.store: jdbc, for an"
              + " administrator to run when the scheduler's user may not create tables; exit")
  boolean printDdl;

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    if (printDdl) {
      for (String sql : QuartzTables.statements()) {
        out.println(sql + ";");
      }
      // shunned nodes and run-time policies live beside Quartz's tables (see dbjobs shun)
      out.println(io.dbjobs.manager.state.JdbcOperatorState.DDL + ";");
      out.flush();
      return 0;
    }
    ManagerConfig cfg = root.config();
    if (check) {
      cfg.describe().forEach(out::println);
      out.flush();
      return 0;
    }
    logAtInfoUnlessTold();
    ManagerDaemon daemon =
        ManagerDaemon.start(cfg, BackgroundWork.into(DaemonIntegrations.defaults()));
    Runtime.getRuntime()
        .addShutdownHook(new Thread(() -> daemon.stop("SIGTERM"), "dbjobs-shutdown"));
    daemon.awaitStop();
    return 0;
  }

  /** The CLI logs warnings only; the daemon logs at INFO unless DBJOBS_LOG_LEVEL says otherwise. */
  private static void logAtInfoUnlessTold() {
    if (System.getenv("DBJOBS_LOG_LEVEL") != null) {
      return;
    }
    if (LoggerFactory.getILoggerFactory() instanceof LoggerContext ctx) {
      ch.qos.logback.classic.Logger rootLogger = ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
      if (rootLogger.getLevel() == null || rootLogger.getLevel().isGreaterOrEqual(Level.WARN)) {
        rootLogger.setLevel(Level.INFO);
      }
    }
  }
}
