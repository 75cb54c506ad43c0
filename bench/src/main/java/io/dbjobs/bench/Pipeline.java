package io.dbjobs.bench;

import io.dbjobs.testkit.FreePorts;
import io.dbjobs.testkit.Shell;
import java.nio.file.Path;

/**
 * A plain-tool pipeline across the network, the way operators glue it today: a receiving side
 * behind {@code socat TCP-LISTEN} and a sending side into {@code socat TCP}, run by bash with
 * {@code pipefail}, timed from the first byte of the script to the end of both sides.
 */
final class Pipeline {
  private Pipeline() {}

  /**
   * Seconds of {@code producer | socat} to {@code socat | consumer} on a free loopback port. The
   * sender retries its connect until the listener is up (socat's {@code retry}), so nothing sleeps.
   */
  static double socat(String producer, String consumer) {
    return run(producer, "- | " + consumer, "");
  }

  /** Seconds of {@code producer | socat} to {@code socat} writing {@code file}, then its sync. */
  static double socatInto(String producer, Path file) {
    return run(producer, "OPEN:" + file + ",creat,trunc", "sync " + file + "\n");
  }

  private static double run(String producer, String receiving, String after) {
    int port = FreePorts.next();
    String script =
        "set -euo pipefail\n"
            + "( socat -u TCP-LISTEN:"
            + port
            + ",bind=127.0.0.1,reuseaddr "
            + receiving
            + " ) &\n"
            + "receiver=$!\n"
            + producer
            + " | socat -u - TCP:127.0.0.1:"
            + port
            + ",retry=600,interval=0.05\n"
            + "wait $receiver\n"
            + after;
    return bash(script);
  }

  /** Seconds of a bash script with {@code pipefail}; fails with its output unless it exits 0. */
  static double bash(String script) {
    long t0 = System.nanoTime();
    Shell.check(
        7200,
        "/bin/bash",
        "-c",
        script.startsWith("set ") ? script : "set -euo pipefail\n" + script);
    return (System.nanoTime() - t0) / 1e9;
  }
}
