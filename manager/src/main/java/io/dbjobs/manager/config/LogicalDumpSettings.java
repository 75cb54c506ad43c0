package io.dbjobs.manager.config;

import io.dbjobs.common.config.ConfigTree;
import io.dbjobs.common.logical.DumpOptions;
import java.time.Duration;
import java.util.List;

/**
 * How the manager dumps a primary itself ({@code reseed --method logicalmaster}), from {@code
 * logicalDump:} in manager.yml.
 *
 * @param threads {@code logicalDump.threads}, default the manager's cores (1..64): sessions dumping
 *     at once, in one snapshot
 * @param lockTimeout {@code logicalDump.lockTimeout}, default 5s: the longest the snapshot lock
 *     ({@code BACKUP STAGE BLOCK_COMMIT}) is waited for; the primary's commits queue behind the
 *     request meanwhile, so the dump fails rather than hold them up longer
 * @param chunkMiB {@code logicalDump.chunkMiB}, default 64: tables bigger than this are dumped in
 *     primary-key chunks of about this size
 * @param nonTransactional {@code logicalDump.nonTransactional}, default {@code lock}: MyISAM/Aria
 *     tables are dumped under the snapshot lock; {@code unlocked}: after it, named as not
 *     consistent
 * @param format {@code logicalDump.format}, default {@code parts}: the parallel dump where the
 *     primary can take it (MariaDB 10.4+); {@code sql}: always mariadb-dump/mysqldump in one
 *     session (what an older primary or MySQL gets anyway)
 */
public record LogicalDumpSettings(
    int threads, Duration lockTimeout, int chunkMiB, String nonTransactional, String format) {

  public static LogicalDumpSettings defaults() {
    return new LogicalDumpSettings(
        DumpOptions.defaultThreads(), DumpOptions.DEFAULT_LOCK_TIMEOUT, 64, "lock", "parts");
  }

  static LogicalDumpSettings read(ConfigTree t) {
    return new LogicalDumpSettings(
        t.integer("threads", DumpOptions.defaultThreads(), 1, 64),
        t.duration("lockTimeout", DumpOptions.DEFAULT_LOCK_TIMEOUT, Duration.ofSeconds(1)),
        t.integer("chunkMiB", 64, 1, 65536),
        t.choice("nonTransactional", "lock", List.of("lock", "unlocked")),
        t.choice("format", "parts", List.of("parts", "sql")));
  }

  /** True when a primary that can take a parallel dump gets one. */
  public boolean parts() {
    return "parts".equals(format);
  }

  /** The dump's options. */
  public DumpOptions options() {
    return DumpOptions.defaults(threads)
        .withLockTimeout(lockTimeout)
        .withChunkBytes((long) chunkMiB << 20)
        .withNonTransactional(DumpOptions.NonTransactional.parse(nonTransactional));
  }
}
