package io.dbjobs.manager.recover;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.manager.fleet.JobView;
import io.dbjobs.manager.reseed.Reseed;

/**
 * Starts a reseed in the daemon (its background work owns the streams) and returns the joiner's job
 * once the preflight passed and it is enqueued.
 */
@FunctionalInterface
public interface ReseedStarter {
  JobView start(Reseed.Request request);

  /** For a daemon without background work: every reseed is refused, saying so. */
  static ReseedStarter notAvailable() {
    return r -> {
      throw new DbJobsException(
          ErrorCode.PREFLIGHT_REFUSED,
          "this daemon cannot run reseeds (no background work is plugged in); reseed "
              + r.node()
              + " with dbjobs reseed --direct");
    };
  }
}
