package io.dbjobs.manager.cli;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import picocli.CommandLine.Option;

/**
 * {@code --wait} / {@code --no-wait} of the long commands (backup, reseed, flashback, logs
 * collect). They wait by default. Without a daemon the command itself carries the stream (it is the
 * receiver, or the sender), so it must stay to the end and {@code --no-wait} is refused; with a
 * daemon, {@code --no-wait} returns once the daemon has started the work.
 */
final class WaitOption {
  @Option(
      names = "--wait",
      negatable = true,
      defaultValue = "true",
      fallbackValue = "true",
      description =
          "follow the job to its end with progress (the default). --no-wait returns once the"
              + " daemon has started it (only with a daemon: without one this command carries the"
              + " stream and stays to the end)")
  boolean wait = true;

  /** Refuses {@code --no-wait} when the command works directly against the nodes. */
  void requireWaitWhenDirect(String command) {
    if (!wait) {
      throw new DbJobsException(
          ErrorCode.USAGE,
          "--no-wait needs a running daemon (api.url in manager.yml, or --api URL): without one, "
              + command
              + " carries the stream itself and must stay until the end; leave --no-wait out");
    }
  }
}
