package io.dbjobs.common.job.params;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.stream.Compression;
import java.time.Duration;

/** {@code backup-logical}. */
public record BackupLogicalParams(
    @Param(
            name = "stream-id",
            doc = "the receiver's name for this stream (set by the manager)",
            required = true)
        String streamId,
    @Param(name = "compression", doc = "compression on the wire", dflt = "none")
        Compression compression,
    @Param(
            name = "content-compression",
            doc = "compression of the dump itself",
            dflt = "zstd",
            choices = {"zstd", "none"})
        String contentCompression,
    @Param(name = "databases", doc = "comma-separated databases (absent: all user databases)")
        String databases,
    @Param(
            name = "format",
            doc = "parts: a parallel dump (MariaDB 10.4+); sql: one mariadb-dump/mysqldump file",
            dflt = "parts",
            choices = {"parts", "sql"})
        String format,
    @Param(name = "threads", doc = "parts: sessions dumping at once (absent: the node's cores)")
        Integer threads,
    @Param(
            name = "lock-timeout",
            doc = "parts: the longest the snapshot lock is waited for",
            dflt = "5s")
        Duration lockTimeout,
    @Param(
            name = "non-transactional",
            doc =
                "parts: MyISAM/Aria tables dumped under the snapshot lock, or after it (then named"
                    + " as not consistent)",
            dflt = "lock",
            choices = {"lock", "unlocked"})
        String nonTransactional,
    @Param(
            name = "chunk-mib",
            doc = "parts: tables bigger than this are dumped in chunks",
            dflt = "64")
        int chunkMib)
    implements SenderParams {
  public BackupLogicalParams {
    if (threads != null && (threads < 1 || threads > 64)) {
      throw refused("threads", threads, "must be between 1 and 64");
    }
    if (chunkMib < 1 || chunkMib > 65536) {
      throw refused("chunk-mib", chunkMib, "must be between 1 and 65536");
    }
    if (lockTimeout != null
        && (lockTimeout.isNegative()
            || lockTimeout.isZero()
            || lockTimeout.compareTo(Duration.ofHours(1)) > 0)) {
      throw refused("lock-timeout", lockTimeout, "must be more than 0 and at most 1h");
    }
  }

  private static DbJobsException refused(String name, Object value, String rule) {
    return new DbJobsException(
        ErrorCode.BAD_PARAMETER,
        "task backup-logical: parameter '" + name + "'=" + value + " " + rule);
  }
}
