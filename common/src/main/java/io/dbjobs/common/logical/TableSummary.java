package io.dbjobs.common.logical;

/**
 * One table of a dump.
 *
 * @param rows rows dumped (history rows included for a system-versioned table)
 * @param chunks row parts of the table
 * @param consistent false for a non-transactional table dumped after the snapshot lock was
 *     released: its rows may be from a later moment than the rest
 * @param history true when a system-versioned table's history rows were dumped
 */
public record TableSummary(
    String schema,
    String table,
    String engine,
    long rows,
    int chunks,
    boolean consistent,
    boolean history) {}
