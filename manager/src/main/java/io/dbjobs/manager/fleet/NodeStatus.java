package io.dbjobs.manager.fleet;

/**
 * What {@code dbjobs nodes} shows of one node.
 *
 * @param role {@code primary} or {@code replica} (has replication configured)
 * @param replication replica threads and lag, e.g. {@code io=Yes sql=Yes lag=0s}; empty on a
 *     primary
 * @param error why the node could not be read; null when it could
 */
public record NodeStatus(
    String cluster,
    String name,
    String address,
    boolean up,
    String version,
    String role,
    boolean readOnly,
    String replication,
    String gtidPosition,
    int queued,
    int running,
    String error) {}
