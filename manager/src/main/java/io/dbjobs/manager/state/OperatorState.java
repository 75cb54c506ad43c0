package io.dbjobs.manager.state;

import io.dbjobs.manager.config.ClusterPolicy;
import java.util.Map;

/**
 * Shunned nodes and run-time cluster policies, as every manager sharing a setup sees them. Each
 * call reads or writes the store afresh: a change made by the CLI or another manager is seen at the
 * next call. Writes are durable when they return.
 */
public interface OperatorState {
  /** Shunned nodes by name. */
  Map<String, Shun> shuns();

  /** Shuns a node (again: the reason and time are replaced). */
  Shun shun(String node, String reason, String by);

  /** Brings a node back; false when it was not shunned. */
  boolean welcome(String node);

  /** Run-time policies by cluster name (clusters without one follow manager.yml). */
  Map<String, PolicySetting> policies();

  PolicySetting setPolicy(String cluster, ClusterPolicy policy, String reason, String by);

  /** Forgets a cluster's run-time policy (manager.yml's applies again); false when it had none. */
  boolean clearPolicy(String cluster);

  /** Where the state is kept, for messages and the README's promise. */
  String where();

  /** Reasons are free text from operators: printable, at most 500 characters. */
  static String cleanReason(String reason) {
    if (reason == null) {
      return "";
    }
    String r = reason.replaceAll("\\p{Cntrl}", " ").strip();
    return r.length() > 500 ? r.substring(0, 500) : r;
  }
}
