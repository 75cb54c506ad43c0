package io.dbjobs.common.health;

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

  public String label() {
    return label;
  }

  @Override
  public String toString() {
    return label;
  }
}
