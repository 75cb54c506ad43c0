package io.dbjobs.manager.config;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * How dbjobs acts on a cluster on its own ({@code clusters[].policy}, changed at run time by {@code
 * dbjobs policy}).
 */
public enum ClusterPolicy {
  /** Schedules run; nothing is repaired without an operator. The default. */
  MANUAL,
  /** Schedules run; the daemon's watchdog runs {@code recover} on a replica that needs it. */
  AUTOMATIC,
  /** Schedules pause (each skipped fire is logged and counted) and nothing automatic runs. */
  MAINTENANCE;

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static List<String> labels() {
    return Arrays.stream(values()).map(ClusterPolicy::label).toList();
  }

  /**
   * @throws DbJobsException USAGE naming the known policies
   */
  public static ClusterPolicy parse(String text) {
    for (ClusterPolicy p : values()) {
      if (p.label().equals(text.trim().toLowerCase(Locale.ROOT))) {
        return p;
      }
    }
    throw new DbJobsException(
        ErrorCode.USAGE,
        "unknown policy '" + text + "'; known policies: " + String.join(", ", labels()));
  }

  @Override
  public String toString() {
    return label();
  }
}
