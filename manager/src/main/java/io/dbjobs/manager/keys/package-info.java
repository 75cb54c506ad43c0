/**
 * The manager's job keys: one ring per node, the seals of enqueued jobs, rotation. Internal: no
 * compatibility promise beyond the key file format (docs/security.md).
 */
package io.dbjobs.manager.keys;
