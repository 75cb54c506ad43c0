package io.dbjobs.common.health;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.Locale;

/**
 * What is wrong with a node's replication, most serious first: a node's diagnosis is the first of
 * these that any of its findings has. The labels are what {@code dbjobs nodes}, the API and the
 * metrics show.
 */
public enum Diagnosis {
  /** The node's database does not answer: nothing else can be said. */
  UNREACHABLE("unreachable"),
  /** The node has transactions (GTIDs) the primary never had: its data diverged. */
  ERRANT_TRANSACTIONS("errant-transactions"),
  /** The primary no longer has the binary logs from the node's replication position on. */
  BINLOGS_PURGED("binlogs-purged"),
  /** A replication SQL thread stopped with an error. */
  SQL_ERROR("sql-error"),
  /** The node replicates from a node that is not the cluster's current primary. */
  WRONG_PRIMARY("wrong-primary"),
  /** A replication IO thread cannot read from its source. */
  IO_ERROR("io-error"),
  /** A replication thread is stopped without an error, or the node replicates from nobody. */
  STOPPED("stopped"),
  /** A replica accepts writes ({@code read_only=0}). */
  WRITABLE_REPLICA("writable-replica"),
  /** Both threads run but the node is further behind than the cluster's lag threshold. */
  LAGGING("lagging"),
  OK("ok");

  private final String label;

  Diagnosis(String label) {
    this.label = label;
  }

  @JsonValue
  public String label() {
    return label;
  }

  /** The more serious of two diagnoses. */
  public static Diagnosis worst(Diagnosis a, Diagnosis b) {
    return a.ordinal() <= b.ordinal() ? a : b;
  }

  @JsonCreator
  public static Diagnosis fromLabel(String label) {
    String l = label.trim().toLowerCase(Locale.ROOT);
    return Arrays.stream(values())
        .filter(d -> d.label.equals(l))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("unknown diagnosis '" + label + "'"));
  }

  @Override
  public String toString() {
    return label;
  }
}
