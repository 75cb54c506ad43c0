/**
 * Building SQL text safely where a bound parameter cannot be used: identifiers quoted with
 * backticks ({@link io.dbjobs.common.sql.SqlIdentifiers}), and string literals for statements the
 * server takes no placeholders in, such as {@code CHANGE MASTER TO}, quoted on a connection whose
 * {@code sql_mode} is pinned first ({@link io.dbjobs.common.sql.PinnedLiterals}). Everything else
 * uses {@link java.sql.PreparedStatement} parameters. Internal: no compatibility promise.
 */
package io.dbjobs.common.sql;
