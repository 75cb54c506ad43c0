package io.dbjobs.common.job;

import static io.dbjobs.common.job.ParamSpec.Type.BOOLEAN;
import static io.dbjobs.common.job.ParamSpec.Type.DURATION;
import static io.dbjobs.common.job.ParamSpec.Type.ENDPOINT;
import static io.dbjobs.common.job.ParamSpec.Type.INT;
import static io.dbjobs.common.job.ParamSpec.Type.LONG;
import static io.dbjobs.common.job.ParamSpec.Type.STRING;

import java.util.ArrayList;
import java.util.List;

/**
 * Parameters of the tasks that send or receive a stream. The stream's peer is in the row's {@code
 * server}/{@code port} columns and its secret in {@code stream_secret}; the parameters say which
 * stream it is and how to shape it.
 */
public final class TaskStreamParams {
  /** The receiver's name for this stream, sent in the handshake's HELLO. */
  public static final String STREAM_ID = "stream-id";

  /** Compression on the wire: none, zstd or lz4 (the digest is over the uncompressed bytes). */
  public static final String COMPRESSION = "compression";

  /** backup-logical: how the dump itself is compressed before it is sent (zstd or none). */
  public static final String CONTENT_COMPRESSION = "content-compression";

  /** backup-logical: comma-separated databases to dump (absent: all but the system schemas). */
  public static final String DATABASES = "databases";

  /** backup-physical: mariadb-backup/xtrabackup --parallel. */
  public static final String PARALLEL = "parallel";

  /** errorlog, slowquery: rotate the log after the manager acknowledged the copy. */
  public static final String ROTATE = "rotate";

  /** reseed, flashback: host:port of the primary to replicate from once restored. */
  public static final String PRIMARY = "primary";

  /** reseed, flashback: what the data comes from, for messages (a backup id, "donor db3"...). */
  public static final String SOURCE = "source";

  /** reseed, flashback: expected size of the data in bytes, for the disk check and progress. */
  public static final String EXPECTED_BYTES = "expected-bytes";

  /** reseed, flashback: keep the replaced data after success (absent: the agent's setting). */
  public static final String KEEP_OLD_DATADIR = "keep-old-datadir";

  /**
   * flashback: the backup's kind, physical or logical. backup-logical: {@code parts} (a parallel
   * dump, the default) or {@code sql} (one mariadb-dump/mysqldump file).
   */
  public static final String FORMAT = "format";

  /** backup-logical, format parts: sessions dumping at once (absent: the node's cores). */
  public static final String THREADS = "threads";

  /** backup-logical, format parts: the longest the snapshot lock may be waited for. */
  public static final String LOCK_TIMEOUT = "lock-timeout";

  /** backup-logical, format parts: MyISAM/Aria tables dumped under the lock, or after it. */
  public static final String NON_TRANSACTIONAL = "non-transactional";

  /** backup-logical, format parts: tables bigger than this many MiB are dumped in chunks. */
  public static final String CHUNK_MIB = "chunk-mib";

  private TaskStreamParams() {}

  private static final ParamSpec STREAM =
      ParamSpec.required(
          STREAM_ID, STRING, "the receiver's name for this stream (set by the manager)");
  private static final ParamSpec WIRE =
      ParamSpec.choice(
          COMPRESSION, "none", List.of("none", "zstd", "lz4"), "compression on the wire");

  static List<ParamSpec> forTask(Task task) {
    List<ParamSpec> p = new ArrayList<>();
    switch (task) {
      case BACKUP_PHYSICAL -> {
        p.add(STREAM);
        p.add(WIRE);
        p.add(ParamSpec.optional(PARALLEL, INT, "1", "threads copying data files"));
      }
      case BACKUP_LOGICAL -> {
        p.add(STREAM);
        p.add(WIRE);
        p.add(
            ParamSpec.choice(
                CONTENT_COMPRESSION,
                "zstd",
                List.of("zstd", "none"),
                "compression of the dump itself"));
        p.add(
            ParamSpec.optional(
                DATABASES, STRING, null, "comma-separated databases (absent: all user databases)"));
        p.add(
            ParamSpec.choice(
                FORMAT,
                "parts",
                List.of("parts", "sql"),
                "parts: a parallel dump (MariaDB 10.4+); sql: one mariadb-dump/mysqldump file"));
        p.add(
            ParamSpec.optional(
                THREADS, INT, null, "parts: sessions dumping at once (absent: the node's cores)"));
        p.add(
            ParamSpec.optional(
                LOCK_TIMEOUT,
                DURATION,
                "5s",
                "parts: the longest the snapshot lock is waited for"));
        p.add(
            ParamSpec.choice(
                NON_TRANSACTIONAL,
                "lock",
                List.of("lock", "unlocked"),
                "parts: MyISAM/Aria tables dumped under the snapshot lock, or after it (then named"
                    + " as not consistent)"));
        p.add(
            ParamSpec.optional(
                CHUNK_MIB, INT, "64", "parts: tables bigger than this are dumped in chunks"));
      }
      case RESEED_PHYSICAL, RESEED_LOGICAL, FLASHBACK -> {
        p.add(STREAM);
        p.add(ParamSpec.required(PRIMARY, ENDPOINT, "host:port of the primary to replicate from"));
        p.add(ParamSpec.optional(SOURCE, STRING, null, "where the data comes from, for messages"));
        p.add(
            ParamSpec.optional(
                EXPECTED_BYTES, LONG, null, "expected data size, for the disk check"));
        p.add(
            ParamSpec.optional(
                KEEP_OLD_DATADIR,
                BOOLEAN,
                null,
                "keep the replaced data (absent: the agent's setting)"));
        if (task == Task.FLASHBACK) {
          p.add(
              ParamSpec.choice(
                  FORMAT, "physical", List.of("physical", "logical"), "the backup's kind"));
        }
      }
      case ERRORLOG, SLOWQUERY -> {
        p.add(STREAM);
        p.add(WIRE);
        p.add(
            ParamSpec.optional(
                ROTATE, BOOLEAN, "true", "rotate the log once the manager has a verified copy"));
      }
      default -> {}
    }
    return List.copyOf(p);
  }
}
