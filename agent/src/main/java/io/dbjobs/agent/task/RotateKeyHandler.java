package io.dbjobs.agent.task;

import io.dbjobs.agent.loop.AgentKeys;
import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.auth.JobKey;
import io.dbjobs.common.auth.JobSeal;
import io.dbjobs.common.auth.KeyRing;
import io.dbjobs.common.job.JobOutcome;
import io.dbjobs.common.job.Task;

/**
 * {@code rotate-key}: takes the new job key the manager sent in this job's sealed, encrypted secret
 * box, and makes it this node's current key, keeping the key that sealed this job as the one other
 * accepted key (so jobs sealed before the rotation still run). The key file is rewritten atomically
 * and durably before the job succeeds; only then does the manager seal with the new key.
 */
public final class RotateKeyHandler implements TaskHandler {
  private final AgentKeys keys;

  public RotateKeyHandler(AgentKeys keys) {
    this.keys = keys;
  }

  @Override
  public Task task() {
    return Task.ROTATE_KEY;
  }

  @Override
  public JobOutcome run(JobContext ctx) {
    JobKey next = JobKey.fromHex(ctx.streamSecret());
    String sealedWith = JobSeal.parse(ctx.job().seal().seal()).keyId();
    KeyRing ring = keys.ring();
    JobKey previous =
        ring.byId(sealedWith)
            .orElseThrow(
                () ->
                    new DbJobsException(
                        ErrorCode.UNAUTHENTICATED_JOB,
                        "the rotation was sealed with key "
                            + sealedWith
                            + ", which this node no longer holds"));
    keys.replace(ring.rotatedTo(next, previous));
    return JobOutcome.succeeded(
        "job keys of "
            + ctx.config().node()
            + " in "
            + keys.file()
            + " are now "
            + keys.ring().ids()
            + " (current first)");
  }
}
