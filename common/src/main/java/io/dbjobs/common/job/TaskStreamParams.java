package io.dbjobs.common.job;

import static io.dbjobs.common.job.ParamSpec.Type.BOOLEAN;
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

  /** flashback: the backup's kind, physical or logical. */
  public static final String FORMAT = "format";

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
