package io.dbjobs.common.health;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;

/** What {@code recover} can do for a node, given its findings. */
public enum Verdict {
  /** Nothing to repair (ok or lagging). */
  HEALTHY("healthy"),
  /** {@code recover} repairs it: stopped threads, transient errors, wrong primary, read_only. */
  RECOVERABLE("recoverable"),
  /** A recovery cannot be correct (divergence, purged binlogs): only a reseed helps. */
  NEEDS_RESEED("needs-reseed"),
  /** The node does not answer. */
  UNKNOWN("unknown");

  private final String label;

  Verdict(String label) {
    this.label = label;
  }

  @JsonValue
  public String label() {
    return label;
  }

  @JsonCreator
  public static Verdict fromLabel(String label) {
    return Arrays.stream(values())
        .filter(v -> v.label.equals(label))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("unknown verdict '" + label + "'"));
  }

  @Override
  public String toString() {
    return label;
  }
}
