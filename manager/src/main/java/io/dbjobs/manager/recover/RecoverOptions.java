package io.dbjobs.manager.recover;

import io.dbjobs.manager.reseed.ReseedMethod;

/**
 * How {@code recover} may act.
 *
 * @param reseedIfNeeded reseed the node when a recovery cannot be correct
 * @param method the reseed's method; null to pick one ({@link RecoverPlanner#suggestMethod})
 */
public record RecoverOptions(boolean reseedIfNeeded, ReseedMethod method) {
  public static RecoverOptions recoverOnly() {
    return new RecoverOptions(false, null);
  }
}
