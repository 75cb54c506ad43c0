package io.dbjobs.common.time;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Timestamps of a command's steps in the debug log, to see where its time goes: each {@link #mark}
 * logs, on the logger {@value #LOGGER} at DEBUG, {@code step NAME at EPOCH_MS (+UPTIME ms since the
 * JVM started)}, and {@link #afterJobEnd} the same with the distance from the job's end as the
 * node's row recorded it. Nothing is kept: marking in a long-running process costs one log check.
 * {@code DBJOBS_LOG_LEVEL=debug} shows these with everything else; {@code DBJOBS_STEPS=debug} only
 * these.
 */
public final class Steps {
  /** The logger's name. */
  public static final String LOGGER = "dbjobs.steps";

  private static final Logger LOG = LoggerFactory.getLogger(LOGGER);

  private Steps() {}

  /** Logs that the step {@code name} is done now. */
  public static void mark(String name) {
    if (LOG.isDebugEnabled()) {
      LOG.debug(line(name, Instant.now(), uptimeMillis()));
    }
  }

  /** Logs that the step {@code name} is done now, {@code jobEnded} being the job row's end. */
  public static void afterJobEnd(String name, Instant jobEnded) {
    if (!LOG.isDebugEnabled()) {
      return;
    }
    Instant now = Instant.now();
    String line = line(name, now, uptimeMillis());
    LOG.debug(
        jobEnded == null
            ? line
            : line + ", " + Duration.between(jobEnded, now).toMillis() + " ms after the job's end");
  }

  /** {@code step NAME at EPOCH_MS (+UPTIME ms since the JVM started)}. */
  static String line(String name, Instant at, long uptimeMillis) {
    return "step "
        + name
        + " at "
        + at.toEpochMilli()
        + " (+"
        + uptimeMillis
        + " ms since the JVM started)";
  }

  private static long uptimeMillis() {
    return ManagementFactory.getRuntimeMXBean().getUptime();
  }
}
