/**
 * The backup catalog on the manager's disk: {@code <catalog.dir>/<cluster>/<node>/<backup-id>/}
 * with the data file ({@code backup.xbstream}, {@code dump.sql.zst} or {@code dump.sql}) and a
 * {@code manifest.json} written last. A folder without a manifest is incomplete: never listed as
 * restorable, never restored from. Retention ({@link io.dbjobs.manager.catalog.RetentionPolicy})
 * keeps the last N plus daily and weekly backups per node and type. Internal: no compatibility
 * promise, except that {@code manifest.json} files written by one version stay readable by later
 * ones.
 */
package io.dbjobs.manager.catalog;
