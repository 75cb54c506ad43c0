package io.dbjobs.manager.recover;

import io.dbjobs.common.ErrorCode;
import io.dbjobs.manager.health.NodeHealth;
import io.dbjobs.manager.reseed.ReseedMethod;

/** What {@code recover} does about one node. */
public sealed interface RecoverPlan {
  String node();

  /** The node's health the plan was made from. */
  NodeHealth before();

  /**
   * Enqueue the agent's {@code recover} job.
   *
   * @param primaryAddress host:port of the primary, as manager.yml names it
   * @param connection the connection to re-point ({@code ""}: the default one)
   */
  record Recover(
      String node, NodeHealth before, String primary, String primaryAddress, String connection)
      implements RecoverPlan {}

  /** Reseed the node (only with {@code --reseed-if-needed}): recovering it cannot be correct. */
  record Reseed(String node, NodeHealth before, ReseedMethod method, String why)
      implements RecoverPlan {}

  /** Change nothing and fail with {@code code}, saying why and what to do. */
  record Refuse(String node, NodeHealth before, ErrorCode code, String message)
      implements RecoverPlan {}
}
