package io.dbjobs.manager.health;

import com.fasterxml.jackson.annotation.JsonIgnore;
import io.dbjobs.common.health.Diagnosis;
import io.dbjobs.common.health.Finding;
import io.dbjobs.common.health.ReplicaChannel;
import io.dbjobs.common.health.Verdict;
import io.dbjobs.manager.state.Shun;
import java.util.List;

/**
 * One node's replication health, as {@code dbjobs nodes --json} and {@code GET /v1/health} show it.
 *
 * @param role {@code primary}, {@code replica} (replicates from somewhere), {@code standalone}
 *     (neither) or {@code unknown} (unreachable)
 * @param readOnly null when unreachable
 * @param findings everything found, most serious first
 * @param channels every replication connection (MariaDB multi-source) or channel (MySQL)
 * @param clusterChannel the connection meant to replicate from the primary ({@code ""}: default)
 * @param errantCount MariaDB: errant GTIDs (each at least one transaction); MySQL: transactions
 * @param lagSeconds how far the cluster connection is behind; null when unknown or on the primary
 * @param position the GTID position the node has applied
 * @param shunned non-null while the node is shunned
 */
public record NodeHealth(
    String cluster,
    String node,
    String address,
    boolean reachable,
    String role,
    Boolean readOnly,
    Diagnosis diagnosis,
    Verdict verdict,
    List<Finding> findings,
    List<ReplicaChannel> channels,
    String clusterChannel,
    List<String> errantGtids,
    long errantCount,
    Long lagSeconds,
    String position,
    Shun shunned) {

  public NodeHealth {
    findings = findings == null ? List.of() : List.copyOf(findings);
    channels = channels == null ? List.of() : List.copyOf(channels);
    errantGtids = errantGtids == null ? List.of() : List.copyOf(errantGtids);
  }

  @JsonIgnore
  public boolean isPrimary() {
    return "primary".equals(role);
  }

  public NodeHealth withShun(Shun s) {
    return new NodeHealth(
        cluster,
        node,
        address,
        reachable,
        role,
        readOnly,
        diagnosis,
        verdict,
        findings,
        channels,
        clusterChannel,
        errantGtids,
        errantCount,
        lagSeconds,
        position,
        s);
  }

  /** "stopped: replication is stopped (...); ..." or the diagnosis alone. */
  @JsonIgnore
  public String summary() {
    return findings.isEmpty()
        ? diagnosis.label()
        : String.join("; ", findings.stream().map(Finding::toString).toList());
  }
}
