package io.dbjobs.agent.task;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.job.params.ServiceParams;
import io.dbjobs.common.time.Durations;
import io.dbjobs.common.tool.RunningTool;
import io.dbjobs.common.tool.ToolCommand;
import io.dbjobs.common.tool.ToolResult;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * What the stop, start and restart handlers share: run a configured service command, then watch the
 * server until it reaches the wanted state.
 */
public final class ServiceCommands {
  private static final Duration PROBE_EVERY = Duration.ofMillis(200);

  private ServiceCommands() {}

  /** The wait for this job: its {@code timeout} parameter, or the agent's service.timeout. */
  public static Duration timeout(JobContext ctx) {
    Duration t = ctx.params(ServiceParams.class).timeout();
    return t != null ? t : ctx.config().service().timeout();
  }

  /** Runs a service command to its end; fails with its exit code and output unless it exits 0. */
  public static void run(JobContext ctx, String verb, List<String> argv, Duration timeout)
      throws InterruptedException {
    ctx.phase(verb + ": running " + argv.get(0));
    try (RunningTool t = ctx.start(ToolCommand.of("service-" + verb, argv).build())) {
      ToolResult r = t.waitFor(timeout);
      ctx.checkStopping();
      if (!r.ok()) {
        DbJobsException f = t.failure(r, "the " + verb + " command " + argv + " failed");
        throw new DbJobsException(ErrorCode.SERVICE_COMMAND_FAILED, f.getMessage(), f);
      }
    }
  }

  /**
   * Probes the server until {@code reached} accepts its boot time (empty: not answering).
   *
   * @return how long it took
   * @throws DbJobsException SERVER_NOT_ANSWERING naming {@code goal} after {@code timeout}
   */
  public static Duration await(
      JobContext ctx, String goal, Duration timeout, Predicate<Optional<Instant>> reached)
      throws InterruptedException {
    long start = System.nanoTime();
    long deadline = start + timeout.toNanos();
    while (true) {
      ctx.checkStopping();
      if (reached.test(ctx.probe().bootTime())) {
        return Duration.ofNanos(System.nanoTime() - start);
      }
      if (System.nanoTime() > deadline) {
        throw new DbJobsException(
            ErrorCode.SERVER_NOT_ANSWERING,
            "the server at "
                + ctx.probe().endpoint().describe()
                + " did not "
                + goal
                + " within "
                + Durations.human(timeout)
                + "; check the service and its error log");
      }
      Thread.sleep(PROBE_EVERY.toMillis());
    }
  }
}
