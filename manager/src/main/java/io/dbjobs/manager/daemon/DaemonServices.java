package io.dbjobs.manager.daemon;

import io.dbjobs.manager.config.ManagerConfig;
import io.dbjobs.manager.fleet.DirectFleet;
import io.dbjobs.manager.fleet.NodeConnections;
import io.dbjobs.manager.metrics.DaemonMetrics;
import java.time.Clock;

/**
 * What a running daemon offers the parts plugged into it ({@link DaemonIntegrations}): its
 * configuration, its fleet and node pools (one set per daemon, closed by it), its metrics and its
 * clock.
 */
public record DaemonServices(
    ManagerConfig config,
    DirectFleet fleet,
    NodeConnections connections,
    DaemonMetrics metrics,
    Clock clock) {}
