package io.dbjobs.manager.cli;

import io.dbjobs.common.job.Job;
import io.dbjobs.common.job.JobState;
import io.dbjobs.common.time.Durations;
import io.dbjobs.common.units.Sizes;
import io.dbjobs.manager.fleet.Fleet;
import io.dbjobs.manager.fleet.JobView;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(
    mixinStandardHelpOptions = true,
    name = "jobs",
    description = {
      "List jobs, newest first, from one node or all of them; with a job id, show that job in"
          + " full (parameters, lease, digest, whole result).",
      "States: queued, running, waiting-for-stream, finished, succeeded, failed,"
          + " post-processing-failed, cancelled (or their numbers 0-7)."
    },
    footer = {
      "",
      "Examples:",
      "  dbjobs jobs --state failed",
      "  dbjobs jobs --node db2 42 --json"
    })
final class JobsCommand implements Callable<Integer> {
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);

  @ParentCommand DbJobsCli root;
  @Spec CommandSpec spec;

  @Option(
      names = "--node",
      paramLabel = "NODE",
      description = "only this node (required with a job id)")
  String node;

  @Option(names = "--state", paramLabel = "STATE", description = "only jobs in this state")
  String state;

  @Option(names = "--task", paramLabel = "TASK", description = "only this task, e.g. optimize")
  String task;

  @Option(
      names = "--limit",
      defaultValue = "30",
      description = "at most this many jobs (default ${DEFAULT-VALUE})")
  int limit;

  @Option(names = "--json", description = "print JSON for scripts")
  boolean json;

  @Parameters(
      index = "0",
      arity = "0..1",
      paramLabel = "JOB",
      description = "a job id: show this job in full")
  Long id;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    Instant now = Instant.now();
    if (id != null) {
      if (node == null) {
        throw new picocli.CommandLine.ParameterException(
            spec.commandLine(), "a job id needs --node: ids are per node");
      }
      JobView v = root.fleet().job(node, id);
      out.println(json ? Json.write(Json.job(v, now)) : detail(v, now));
      out.flush();
      return 0;
    }
    JobState s = state == null ? null : JobState.parse(state);
    Fleet.JobList list = root.fleet().jobs(node, s, task, limit);
    if (json) {
      out.println(Json.write(list.jobs().stream().map(v -> Json.job(v, now)).toList()));
    } else {
      Table t =
          new Table(
              "NODE",
              "ID",
              "TASK",
              "STATE",
              "PHASE",
              "PROGRESS",
              "STARTED (UTC)",
              "TOOK",
              "RESULT");
      for (JobView v : list.jobs()) {
        Job j = v.job();
        t.row(
            v.node(),
            j.id(),
            j.task(),
            j.state().label(),
            j.phase(),
            progress(j),
            j.started() == null ? null : TIME.format(j.started()),
            took(j, now),
            firstLine(j));
      }
      if (t.isEmpty()) {
        out.println("no jobs" + (node == null ? "" : " on " + node));
      } else {
        t.print(out);
      }
    }
    list.unreachable()
        .forEach(
            (n, why) -> spec.commandLine().getErr().println("dbjobs: " + n + " not read: " + why));
    out.flush();
    spec.commandLine().getErr().flush();
    return list.unreachable().isEmpty()
        ? 0
        : io.dbjobs.common.ErrorCode.NODE_UNREACHABLE.exitStatus();
  }

  static String progress(Job j) {
    if (j.bytesTotal() != null && j.bytesTotal() > 0) {
      return Sizes.human(j.bytesDone()) + "/" + Sizes.human(j.bytesTotal());
    }
    return j.bytesDone() > 0 ? Sizes.human(j.bytesDone()) : null;
  }

  static String took(Job j, Instant now) {
    double s = j.elapsedSeconds(now);
    return s < 0 ? null : Durations.human(Duration.ofMillis((long) (s * 1000)));
  }

  private static String firstLine(Job j) {
    String r = j.result();
    if (r == null) {
      return null;
    }
    String first = r.lines().findFirst().orElse("");
    String code = j.errorCode() == null ? "" : j.errorCode() + ": ";
    String line = code + first;
    return line.length() > 90 ? line.substring(0, 87) + "..." : line;
  }

  static String detail(JobView v, Instant now) {
    Job j = v.job();
    StringBuilder sb = new StringBuilder();
    List<String[]> rows =
        List.of(
            new String[] {"node", v.node()},
            new String[] {"id", Long.toString(j.id())},
            new String[] {"task", j.task()},
            new String[] {"state", j.state().label() + " (" + j.state().code() + ")"},
            new String[] {"phase", String.valueOf(j.phase())},
            new String[] {"progress", String.valueOf(progress(j))},
            new String[] {"params", j.paramsJson()},
            new String[] {"attempts", Integer.toString(j.attempts())},
            new String[] {
              "lease",
              j.leaseOwner() == null
                  ? "-"
                  : j.leaseOwner()
                      + (j.leaseExpires() == null
                          ? ""
                          : " until " + TIME.format(j.leaseExpires()) + " UTC")
            },
            new String[] {"cancel requested", Boolean.toString(j.cancelRequested())},
            new String[] {"created", j.created() == null ? "-" : TIME.format(j.created()) + " UTC"},
            new String[] {"started", j.started() == null ? "-" : TIME.format(j.started()) + " UTC"},
            new String[] {"ended", j.ended() == null ? "-" : TIME.format(j.ended()) + " UTC"},
            new String[] {"took", String.valueOf(took(j, now))},
            new String[] {"digest (sha-256)", String.valueOf(j.digest())},
            new String[] {"error code", String.valueOf(j.errorCode())},
            new String[] {"submitted by", j.submittedBy()},
            new String[] {"idempotency key", j.idempotencyKey()});
    for (String[] r : rows) {
      sb.append(String.format("%-18s %s%n", r[0] + ":", r[1]));
    }
    sb.append("result:\n");
    sb.append(j.result() == null ? "  -" : "  " + j.result().replace("\n", "\n  "));
    return sb.toString();
  }
}
