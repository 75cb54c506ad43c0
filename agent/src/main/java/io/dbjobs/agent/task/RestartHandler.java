package io.dbjobs.agent.task;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.job.JobOutcome;
import io.dbjobs.common.job.Task;
import io.dbjobs.common.time.Durations;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * {@code restart}: runs {@code service.restart} and succeeds once a new server process answers (its
 * boot time changed), so a restart command that did nothing is not reported as done.
 */
public final class RestartHandler implements TaskHandler {
  @Override
  public Task task() {
    return Task.RESTART;
  }

  @Override
  public JobOutcome run(JobContext ctx) throws InterruptedException {
    Duration timeout = ServiceCommands.timeout(ctx);
    List<String> cmd = ctx.config().service().restart();
    Instant bootBefore =
        ctx.probe()
            .bootTime()
            .orElseThrow(
                () ->
                    new DbJobsException(
                        ErrorCode.SERVER_NOT_ANSWERING,
                        "the server is not running, so it cannot be restarted; submit a start job"));
    // the server is away for up to `timeout`; when it is back, nobody may take the job for lost
    // before the next heartbeat renews it
    ctx.extendLease(timeout.plusMinutes(1));
    long start = System.nanoTime();
    ServiceCommands.run(ctx, "restart", cmd, timeout);
    ctx.phase("restart: waiting for the new server to answer");
    // a boot time more than a second after the old one is a new process (uptime has 1 s steps)
    ServiceCommands.await(
        ctx,
        "come back as a new process",
        timeout,
        boot -> boot.isPresent() && boot.get().isAfter(bootBefore.plusSeconds(1)));
    ctx.extendLease(Duration.ZERO);
    return JobOutcome.succeeded(
        "server restarted and answers after "
            + Durations.human(Duration.ofNanos(System.nanoTime() - start))
            + " ("
            + String.join(" ", cmd)
            + ")");
  }
}
