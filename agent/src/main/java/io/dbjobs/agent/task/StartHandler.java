package io.dbjobs.agent.task;

import io.dbjobs.common.job.JobOutcome;
import io.dbjobs.common.job.Task;
import io.dbjobs.common.time.Durations;
import java.time.Duration;
import java.util.List;

/** {@code start}: runs {@code service.start} and succeeds once the server answers queries. */
public final class StartHandler implements TaskHandler {
  @Override
  public Task task() {
    return Task.START;
  }

  @Override
  public JobOutcome run(JobContext ctx) throws InterruptedException {
    Duration timeout = ServiceCommands.timeout(ctx);
    List<String> cmd = ctx.config().service().start();
    long start = System.nanoTime();
    boolean wasUp = ctx.probe().answers();
    ServiceCommands.run(ctx, "start", cmd, timeout);
    ctx.phase("start: waiting for the server to answer");
    ServiceCommands.await(ctx, "answer", timeout, boot -> boot.isPresent());
    String took = Durations.human(Duration.ofNanos(System.nanoTime() - start));
    return JobOutcome.succeeded(
        wasUp
            ? "server was already running; start command run, server answers (" + took + ")"
            : "server started and answers after " + took + " (" + String.join(" ", cmd) + ")");
  }
}
