/**
 * Parallel consistent logical dumps and their part format, shared by the agent's {@code
 * backup-logical}, the manager's {@code logicalmaster} reseed and the catalog: {@link
 * io.dbjobs.common.logical.LogicalDump} takes N sessions on one snapshot and writes tables (big
 * ones in primary-key chunks) as separately compressed parts into one byte stream ({@link
 * io.dbjobs.common.logical.PartWriter}, read back by {@link io.dbjobs.common.logical.PartReader}).
 * The container format is documented in {@code docs/logical-parts.md}; it is versioned by its
 * header. Everything else here is internal: no compatibility promise.
 */
package io.dbjobs.common.logical;
