package io.dbjobs.manager.cli;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.jobs.ManagerJobs;
import io.dbjobs.common.time.Durations;
import io.dbjobs.manager.fleet.JobView;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(
    mixinStandardHelpOptions = true,
    name = "cancel",
    description = {
      "Cancel a job. A queued job is cancelled at once and never starts. A running job's agent"
          + " is asked to stop it: it kills the job's tools and marks it cancelled within a"
          + " heartbeat (1 s by default); use --wait to see that happen."
    })
final class CancelCommand implements Callable<Integer> {
  @ParentCommand DbJobsCli root;
  @Spec CommandSpec spec;

  @Option(
      names = "--node",
      required = true,
      paramLabel = "NODE",
      description = "the node the job is on")
  String node;

  @Parameters(index = "0", paramLabel = "JOB", description = "the job id")
  long id;

  @Option(names = "--wait", description = "for a running job, wait until its agent has stopped it")
  boolean await;

  @Option(
      names = "--timeout",
      defaultValue = "5m",
      paramLabel = "DURATION",
      description = "with --wait: how long to wait (default ${DEFAULT-VALUE})")
  String timeout;

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    ManagerJobs.CancelResult r = root.fleet().cancel(node, id, DbJobsCli.who());
    switch (r) {
      case NOT_FOUND ->
          throw new DbJobsException(ErrorCode.NOT_FOUND, "no job " + id + " on " + node);
      case CANCELLED -> out.println("job " + id + " on " + node + " cancelled before it started");
      case ALREADY_FINAL -> {
        JobView v = root.fleet().job(node, id);
        out.println("job " + id + " on " + node + " had already ended: " + v.job().state().label());
      }
      case REQUESTED -> {
        out.println("job " + id + " on " + node + " is running; its agent was asked to stop it");
        if (await) {
          out.flush();
          JobView v = root.fleet().job(node, id);
          JobWaiter.Waited w =
              new JobWaiter(root.fleet(), new ProgressPrinter(out, false))
                  .await(v, Durations.parse(timeout));
          out.println(JobWaiter.summary(w.last(), Instant.now()));
        }
      }
    }
    out.flush();
    return 0;
  }
}
