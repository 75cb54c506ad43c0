package io.dbjobs.manager.cli;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.stream.Compression;
import io.dbjobs.common.time.Durations;
import io.dbjobs.common.units.Sizes;
import io.dbjobs.manager.api.ApiFleet;
import io.dbjobs.manager.api.ManagerApi;
import io.dbjobs.manager.catalog.BackupJson;
import io.dbjobs.manager.config.ManagerConfig;
import io.dbjobs.manager.config.NodeConfig;
import io.dbjobs.manager.fleet.JobView;
import io.dbjobs.manager.fleet.NodeConnections;
import io.dbjobs.manager.logs.CollectLog;
import io.dbjobs.manager.logs.LogCopy;
import io.dbjobs.manager.logs.LogKind;
import io.dbjobs.manager.logs.LogStore;
import io.dbjobs.manager.receive.Receiver;
import io.dbjobs.manager.work.Verbs;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(
    mixinStandardHelpOptions = true,
    name = "logs",
    subcommands = {LogsCommand.Collect.class, LogsCommand.Show.class},
    description = {
      "Collect and read the nodes' error and slow query logs.",
      "Copies are kept under catalog.dir/<cluster>/<node>/logs/<error|slow>/, one"
          + " <UTC time>.log per collection with a <UTC time>.json describing it (size, SHA-256,"
          + " path on the node, job)."
    },
    footer = {
      "",
      "Examples:",
      "  dbjobs logs collect --node db2 --kind error",
      "  dbjobs logs collect --node db2 --kind slow --no-rotate",
      "  dbjobs logs show --node db2 --kind error --lines 100"
    })
final class LogsCommand implements Runnable {
  @ParentCommand DbJobsCli root;
  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(
        spec.commandLine(), "a subcommand is required: collect or show (see dbjobs logs --help)");
  }

  @Command(
      mixinStandardHelpOptions = true,
      name = "collect",
      description = {
        "Have the node's agent stream its error or slow query log here (errorlog/slowquery job)"
            + " and store a copy. With rotation (the default) the agent rotates the log on the"
            + " node only after this command acknowledged a verified copy, so nothing is lost.",
        "This command listens on receiver.port while it waits, like dbjobs backup."
      },
      footer = {
        "",
        "Exit status: 0 stored and the job succeeded; 1 the collection failed (or the copy is"
            + " stored but the job failed afterwards, e.g. the rotation); 6 timed out."
      })
  static final class Collect implements Callable<Integer> {
    @ParentCommand LogsCommand parent;
    @Spec CommandSpec spec;
    @Mixin WaitOption waitOption;

    @Option(names = "--node", required = true, paramLabel = "NODE", description = "the node")
    String node;

    @Option(
        names = "--kind",
        required = true,
        paramLabel = "KIND",
        description = "error (the error log) or slow (the slow query log)")
    String kind;

    @Option(
        names = "--no-rotate",
        description = "leave the log on the node as it is (default: rotate it after the copy)")
    boolean noRotate;

    @Option(
        names = "--compression",
        defaultValue = "zstd",
        paramLabel = "C",
        description = "compression on the wire: none, zstd or lz4 (default ${DEFAULT-VALUE})")
    String compression;

    @Option(
        names = "--timeout",
        defaultValue = "1h",
        paramLabel = "DURATION",
        description = "give up (cancel the job) after this long (default ${DEFAULT-VALUE})")
    String timeout;

    @Option(names = "--json", description = "print the stored copy as JSON")
    boolean json;

    @Override
    public Integer call() throws InterruptedException {
      PrintWriter out = spec.commandLine().getOut();
      ApiFleet api = ThroughDaemon.api(parent.root);
      if (api != null) {
        JobView last =
            ThroughDaemon.startAndFollow(
                api,
                ManagerApi.LOGS,
                new ManagerApi.LogsBody(node, kind, !noRotate, null, DbJobsCli.who()),
                out,
                json,
                timeout,
                waitOption.wait);
        return ThroughDaemon.finish(out, last, json, null);
      }
      waitOption.requireWaitWhenDirect("dbjobs logs collect");
      ManagerConfig config = parent.root.config();
      NodeConfig n = config.node(node);
      LogKind k = LogKind.parse(kind);
      CollectLog.Request request =
          new CollectLog.Request(
              n,
              k,
              !noRotate,
              Compression.parse(compression),
              Durations.parse(timeout),
              DbJobsCli.who());
      CollectLog.Result r;
      try (NodeConnections connections = new NodeConnections(config);
          Receiver receiver = Receiver.open(config.receiver())) {
        StreamWatcher watcher =
            new StreamWatcher(
                n.name(),
                receiver.advertisedAddress(),
                json ? new PrintWriter(PrintWriter.nullWriter()) : out,
                !json && System.console() != null);
        InterruptOnExit guard = InterruptOnExit.install();
        try {
          r =
              new Verbs(config, connections, receiver, Clock.systemUTC())
                  .collectLog()
                  .run(request, watcher);
        } finally {
          guard.close();
          watcher.done();
        }
      } catch (InterruptedException e) {
        throw new DbJobsException(
            ErrorCode.CANCELLED,
            "interrupted: collecting the " + k + " log of " + n.name() + " was abandoned");
      }
      if (json) {
        Map<String, Object> m = new LinkedHashMap<>(BackupJson.log(r.copy()));
        m.put("job", Json.job(new JobView(n.name(), r.job()), Instant.now()));
        m.put("jobProblem", r.jobProblem());
        out.println(Json.write(m));
      } else {
        out.println(
            "the "
                + k
                + " log of "
                + n.name()
                + (r.copy().logFile() == null ? "" : " (" + r.copy().logFile() + ")")
                + " is stored as "
                + r.copy().file()
                + ": "
                + Sizes.human(r.copy().bytes())
                + ", sha256 "
                + r.copy().sha256());
        out.println(JobWaiter.summary(new JobView(n.name(), r.job()), Instant.now()));
        if (r.jobProblem() != null) {
          out.println("warning: the copy is stored, but " + r.jobProblem());
        }
      }
      out.flush();
      return r.jobProblem() == null ? 0 : 1;
    }
  }

  @Command(
      mixinStandardHelpOptions = true,
      name = "show",
      description = {
        "Print the end of the latest collected copy of a node's log. A line describing the copy"
            + " (when, from where, size) goes to stderr, the log lines to stdout."
      },
      footer = {"", "Exit status: 0 shown; 5 no copy collected yet."})
  static final class Show implements Callable<Integer> {
    @ParentCommand LogsCommand parent;
    @Spec CommandSpec spec;

    @Option(names = "--node", required = true, paramLabel = "NODE", description = "the node")
    String node;

    @Option(
        names = "--kind",
        required = true,
        paramLabel = "KIND",
        description = "error (the error log) or slow (the slow query log)")
    String kind;

    @Option(
        names = "--lines",
        defaultValue = "50",
        paramLabel = "K",
        description = "how many lines from the end (default ${DEFAULT-VALUE})")
    int lines;

    @Override
    public Integer call() {
      if (lines < 1) {
        throw new CommandLine.ParameterException(spec.commandLine(), "--lines must be at least 1");
      }
      ManagerConfig config = parent.root.config();
      NodeConfig n = config.node(node);
      LogKind k = LogKind.parse(kind);
      LogCopy c = new LogStore(config.catalogDir(), Clock.systemUTC()).latest(n, k);
      List<String> tail = LogStore.tail(c, lines);
      PrintWriter err = spec.commandLine().getErr();
      err.println(
          "# "
              + k
              + " log of "
              + n.name()
              + (c.logFile() == null ? "" : " (" + c.logFile() + ")")
              + ", collected "
              + c.collectedAt()
              + ", "
              + Sizes.human(c.bytes())
              + ": last "
              + tail.size()
              + " lines of "
              + c.file());
      err.flush();
      PrintWriter out = spec.commandLine().getOut();
      tail.forEach(out::println);
      out.flush();
      return 0;
    }
  }
}
