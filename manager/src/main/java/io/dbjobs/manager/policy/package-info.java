/**
 * Per-cluster policies: which one applies ({@link EffectivePolicy}: a run-time setting, else
 * manager.yml's), and the automatic policy that the daemon's watchdog runs ({@link AutomaticPolicy}
 * decides, {@link PolicyRunner} acts through normal job rows). Internal to dbjobs; no compatibility
 * promise.
 */
package io.dbjobs.manager.policy;
