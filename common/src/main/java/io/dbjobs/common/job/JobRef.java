package io.dbjobs.common.job;

import java.util.Objects;

/**
 * How a job is found: its node, the idempotency key the manager gave it, and its task. Never by id
 * alone: after a physical swap a node's table is for a moment the donor's copy, where the same id
 * is another job; the key is unique and the task must match too.
 */
public record JobRef(String node, String idempotencyKey, Task task) {
  public JobRef {
    Objects.requireNonNull(node, "node");
    Objects.requireNonNull(idempotencyKey, "idempotencyKey");
    Objects.requireNonNull(task, "task");
  }

  /** "backup-physical 'key' on db2", for messages. */
  @Override
  public String toString() {
    return task + " '" + idempotencyKey + "' on " + node;
  }
}
