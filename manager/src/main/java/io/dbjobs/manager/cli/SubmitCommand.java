package io.dbjobs.manager.cli;

import io.dbjobs.common.job.ParamSpec;
import io.dbjobs.common.job.Task;
import io.dbjobs.manager.fleet.Fleet;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(
    mixinStandardHelpOptions = true,
    name = "submit",
    description = {
      "Enqueue a job on a node; its agent claims it within a poll interval (500 ms by default).",
      "Parameters are checked before anything is enqueued. With --key, submitting again with the"
          + " same key returns the existing job instead of creating a second one (safe to retry"
          + " from scripts and cron)."
    },
    footer = {
      "",
      "Examples:",
      "  dbjobs submit --node db2 --task optimize --param tables=shop.* --wait",
      "  dbjobs submit --node db2 --task restart --key weekly-restart-2026-47 --wait",
      "",
      "Exit status with --wait: 0 when the job succeeded, else non-zero (1, or 6 for timeouts).",
      "",
      "Tasks and their parameters:"
    })
final class SubmitCommand implements Callable<Integer> {
  @ParentCommand DbJobsCli root;
  @Spec CommandSpec spec;

  @Option(
      names = "--node",
      required = true,
      paramLabel = "NODE",
      description = "the node to run it on")
  String node;

  @Option(
      names = "--task",
      required = true,
      paramLabel = "TASK",
      description = "the task, e.g. optimize, restart")
  String task;

  @Option(
      names = "--param",
      paramLabel = "KEY=VALUE",
      description = "a task parameter (repeatable)")
  Map<String, String> params = new LinkedHashMap<>();

  @Option(
      names = "--key",
      paramLabel = "KEY",
      description = "idempotency key (default: a new random one)")
  String key;

  @Option(names = "--wait", description = "follow the job until it ends, showing progress")
  boolean await;

  @Option(
      names = "--timeout",
      defaultValue = "24h",
      paramLabel = "DURATION",
      description =
          "with --wait: give up waiting after this long (default ${DEFAULT-VALUE}); the job goes on")
  String timeout;

  @Option(names = "--json", description = "print the job as JSON (the final state with --wait)")
  boolean json;

  static String taskHelp() {
    StringBuilder sb = new StringBuilder();
    for (Task t : Task.values()) {
      sb.append(String.format("  %-16s %s%n", t.wireName(), t.summary()));
      for (ParamSpec p : t.params()) {
        sb.append("      ").append(p.describe()).append('\n');
      }
    }
    return sb.toString();
  }

  @Override
  public Integer call() throws InterruptedException {
    Task t = Task.require(task);
    PrintWriter out = spec.commandLine().getOut();
    String k = key != null ? key : "cli-" + UUID.randomUUID();
    Fleet.Submitted s =
        root.fleet().submit(new Fleet.SubmitRequest(node, t, params, k, DbJobsCli.who()));
    if (!json) {
      out.println(
          s.job().job().id() == 0
              ? t
                  + " on "
                  + s.job().node()
                  + " sent to its agent (the database does not answer); it runs now and"
                  + " its row is written once the server answers"
              : s.created()
                  ? "job "
                      + s.job().job().id()
                      + " queued on "
                      + s.job().node()
                      + ": "
                      + t
                      + " "
                      + s.job().job().paramsJson()
                  : "job "
                      + s.job().job().id()
                      + " on "
                      + s.job().node()
                      + " already exists for key '"
                      + k
                      + "' ("
                      + s.job().job().state().label()
                      + "); not submitted again");
      out.flush();
    }
    if (!await) {
      if (json) {
        out.println(Json.write(Json.job(s.job(), Instant.now())));
        out.flush();
      }
      return 0;
    }
    boolean terminal = !json && System.console() != null;
    ProgressPrinter printer =
        new ProgressPrinter(json ? new PrintWriter(PrintWriter.nullWriter()) : out, terminal);
    Duration limit = io.dbjobs.common.time.Durations.parse(timeout);
    JobWaiter.Waited w = new JobWaiter(root.fleet(), printer).await(s.job(), limit);
    if (json) {
      out.println(Json.write(Json.job(w.last(), Instant.now())));
    } else if (!w.nodeStoppedAsAsked()) {
      out.println(JobWaiter.summary(w.last(), Instant.now()));
    }
    out.flush();
    return w.nodeStoppedAsAsked() ? 0 : JobWaiter.exitStatus(w.last().job());
  }
}
