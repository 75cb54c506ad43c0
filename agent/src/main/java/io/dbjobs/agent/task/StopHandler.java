package io.dbjobs.agent.task;

import io.dbjobs.common.job.JobOutcome;
import io.dbjobs.common.job.Task;
import io.dbjobs.common.time.Durations;
import java.time.Duration;
import java.util.List;

/**
 * {@code stop}: runs {@code service.stop} and succeeds once the server no longer answers. The
 * outcome is written when the database is back (the agent keeps it in its outbox meanwhile, and it
 * replaces an "agent lost" mark set in between). The lease is not stretched: while the server is
 * down nobody can mark the job lost, and if the agent dies with the server still up, the job is
 * reported lost after the normal lease.
 */
public final class StopHandler implements TaskHandler {
  @Override
  public Task task() {
    return Task.STOP;
  }

  @Override
  public JobOutcome run(JobContext ctx) throws InterruptedException {
    Duration timeout = ServiceCommands.timeout(ctx);
    List<String> cmd = ctx.config().service().stop();
    long start = System.nanoTime();
    ServiceCommands.run(ctx, "stop", cmd, timeout);
    ctx.phase("stop: waiting for the server to go down");
    ServiceCommands.await(ctx, "go down", timeout, boot -> boot.isEmpty());
    return JobOutcome.succeeded(
        "server stopped in "
            + Durations.human(Duration.ofNanos(System.nanoTime() - start))
            + " ("
            + String.join(" ", cmd)
            + ")");
  }
}
