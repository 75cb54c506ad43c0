package io.dbjobs.agent.task.reseed;

import io.dbjobs.agent.task.JobContext;
import io.dbjobs.agent.task.TaskHandler;
import io.dbjobs.common.job.JobOutcome;
import io.dbjobs.common.job.Task;
import io.dbjobs.common.job.params.FlashbackParams;

/**
 * {@code flashback}: rejoins an old primary as a replica from its own backup. On this node it is
 * the same restore as a reseed (physical or logical, per the {@code format} parameter), with the
 * same guarantees; the manager chooses the backup (the node's own latest, or a named one) and the
 * new primary.
 */
public final class FlashbackHandler implements TaskHandler {
  private final ReseedPhysicalHandler physical = new ReseedPhysicalHandler();
  private final ReseedLogicalHandler logical = new ReseedLogicalHandler();

  @Override
  public Task task() {
    return Task.FLASHBACK;
  }

  @Override
  public JobOutcome run(JobContext ctx) throws Exception {
    JobOutcome o =
        "logical".equals(ctx.params(FlashbackParams.class).format())
            ? logical.run(ctx)
            : physical.run(ctx);
    return new JobOutcome(
        o.state(),
        "flashback: " + o.result(),
        o.errorCode(),
        o.digest(),
        o.bytes(),
        o.bytesTotal());
  }
}
