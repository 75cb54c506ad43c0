/**
 * Replication health as data: what a node's server says about its replication ({@link NodeFacts},
 * read by {@link NodeFactsReader}), GTID arithmetic ({@link MariaDbGtids}, {@link GtidSet}), and
 * the pure diagnosis of one replica against the cluster's primary ({@link ReplicaAssessment}). The
 * manager uses it to show and act on health; the agent's {@code recover} task runs the same
 * diagnosis again before it changes anything. Internal to dbjobs; no compatibility promise.
 */
package io.dbjobs.common.health;
