package io.dbjobs.common.health;

import java.util.Locale;

/** A replication thread's state as the replica status shows it ({@code Yes}, {@code No}...). */
public enum ThreadState {
  RUNNING,
  /** Starting or reconnecting ({@code Connecting}, {@code Preparing}). */
  CONNECTING,
  STOPPED;

  /** From a status column: {@code Yes}, {@code Connecting}/{@code Preparing}, anything else. */
  public static ThreadState of(String column) {
    if (column == null) {
      return STOPPED;
    }
    return switch (column.trim().toLowerCase(Locale.ROOT)) {
      case "yes" -> RUNNING;
      case "connecting", "preparing" -> CONNECTING;
      default -> STOPPED;
    };
  }
}
