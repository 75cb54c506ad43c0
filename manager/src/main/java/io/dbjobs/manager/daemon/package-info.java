/**
 * {@code dbjobs serve}: the long-running manager that owns the node connections, the HTTP API, the
 * scheduler and the watchdog ({@link io.dbjobs.manager.daemon.ManagerDaemon}), and where other
 * parts plug in ({@link io.dbjobs.manager.daemon.DaemonIntegrations}). No compatibility promise
 * beyond those two.
 */
package io.dbjobs.manager.daemon;
