package io.dbjobs.common.logical;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import java.time.Duration;
import java.util.List;

/**
 * How a {@link LogicalDump} runs.
 *
 * @param threads sessions dumping at once, all in one snapshot (1..64)
 * @param lockTimeout the longest the snapshot lock may be waited for (the source's commits wait
 *     behind the lock request meanwhile); then the dump fails
 * @param chunkBytes a table bigger than this (by its data length) is dumped in primary-key chunks
 *     of about this size
 * @param nonTransactional how tables that are not InnoDB (MyISAM, Aria, MEMORY...) are dumped
 * @param schemas the schemas to dump; empty for every user schema
 * @param level zstd level of the parts
 */
public record DumpOptions(
    int threads,
    Duration lockTimeout,
    long chunkBytes,
    NonTransactional nonTransactional,
    List<String> schemas,
    int level) {

  /** How tables without transactions are dumped. */
  public enum NonTransactional {
    /** Under the snapshot lock, before it is released: consistent, the lock is held longer. */
    LOCK,
    /** After the lock is released: the dump's result names them as not consistent. */
    UNLOCKED;

    public static NonTransactional parse(String s) {
      return switch (s == null ? "lock" : s) {
        case "lock" -> LOCK;
        case "unlocked" -> UNLOCKED;
        default ->
            throw new DbJobsException(
                ErrorCode.BAD_PARAMETER,
                "non-transactional '" + s + "' is not one of: lock, unlocked");
      };
    }
  }

  public static final Duration DEFAULT_LOCK_TIMEOUT = Duration.ofSeconds(5);
  public static final long DEFAULT_CHUNK_BYTES = 64L << 20;

  public DumpOptions {
    if (threads < 1 || threads > 64) {
      throw new DbJobsException(
          ErrorCode.BAD_PARAMETER, "a dump runs 1 to 64 sessions, not " + threads);
    }
    schemas = schemas == null ? List.of() : List.copyOf(schemas);
  }

  /** {@code threads} sessions, the rest at defaults. */
  public static DumpOptions defaults(int threads) {
    return new DumpOptions(
        threads, DEFAULT_LOCK_TIMEOUT, DEFAULT_CHUNK_BYTES, NonTransactional.LOCK, List.of(), 1);
  }

  public DumpOptions withSchemas(List<String> s) {
    return new DumpOptions(threads, lockTimeout, chunkBytes, nonTransactional, s, level);
  }

  public DumpOptions withLockTimeout(Duration t) {
    return new DumpOptions(threads, t, chunkBytes, nonTransactional, schemas, level);
  }

  public DumpOptions withChunkBytes(long b) {
    return new DumpOptions(threads, lockTimeout, b, nonTransactional, schemas, level);
  }

  public DumpOptions withNonTransactional(NonTransactional n) {
    return new DumpOptions(threads, lockTimeout, chunkBytes, n, schemas, level);
  }

  /** The default number of sessions: this machine's cores. */
  public static int defaultThreads() {
    return Math.max(1, Math.min(64, Runtime.getRuntime().availableProcessors()));
  }
}
