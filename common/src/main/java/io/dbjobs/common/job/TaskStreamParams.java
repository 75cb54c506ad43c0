package io.dbjobs.common.job;

/**
 * The names of the parameters of the tasks that send or receive a stream, for code that builds a
 * job's parameters (the declarations, with types, docs and defaults, are the records of {@link
 * io.dbjobs.common.job.params}). The stream's peer is in the row's {@code server}/{@code port}
 * columns and its wrapped secret in {@code secret_box}.
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
   * reseed, flashback: {@code gtid} (default) or {@code binlog}: position the restored node by the
   * data's binary log file:position on the primary ({@code MASTER_USE_GTID=no}).
   */
  public static final String POSITION = "position";

  /**
   * reseed, flashback with {@code position=binlog}: {@code FILE:POS} on the primary to start from,
   * given by the operator in place of the data's own coordinates.
   */
  public static final String BINLOG_POSITION = "binlog-position";

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
}
