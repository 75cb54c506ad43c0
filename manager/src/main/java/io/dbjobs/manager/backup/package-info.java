/**
 * The backup verbs, one class each: {@link io.dbjobs.manager.backup.TakeBackup} (a node streams a
 * backup into the catalog), {@link io.dbjobs.manager.backup.VerifyBackup}, {@link
 * io.dbjobs.manager.backup.PruneBackups} and {@link io.dbjobs.manager.backup.ImportBackup}. They
 * are given what they work on (receiver, node jobs, catalog, clock) and open nothing themselves, so
 * the CLI and the daemon use them alike. Internal: no compatibility promise.
 */
package io.dbjobs.manager.backup;
