package io.dbjobs.common.backup;

/**
 * Keys of the metadata a sender puts in a stream's trailer (a string map), read by the receiver to
 * describe what it stored: a backup's manifest, a log copy's index. Absent keys mean unknown.
 */
public final class StreamMeta {
  /** {@code backup} or {@code log}. */
  public static final String KIND = "kind";

  /** For backups: {@code physical} or {@code logical}. */
  public static final String TYPE = "type";

  /** What the bytes are: {@code xbstream}, {@code sql}, {@code log}. */
  public static final String FORMAT = "format";

  /** How the bytes themselves are compressed (independent of wire compression): none, zstd. */
  public static final String CONTENT_COMPRESSION = "contentCompression";

  /** The tool that produced the bytes, e.g. {@code mariadb-backup}. */
  public static final String TOOL = "tool";

  /** The tool's version line, e.g. {@code mariadb-backup based on MariaDB server 10.11.19}. */
  public static final String TOOL_VERSION = "toolVersion";

  /** The source server's {@code @@version}. */
  public static final String SERVER_VERSION = "serverVersion";

  /** {@code mariadb} or {@code mysql}. */
  public static final String SERVER_FLAVOR = "serverFlavor";

  /** The node the bytes come from, as the agent's config names it. */
  public static final String NODE = "node";

  /**
   * The GTID position the backup is consistent at (MariaDB domain-server-seq list, or MySQL set).
   */
  public static final String GTID = "gtid";

  /** The source's binary log file at the backup's position. */
  public static final String BINLOG_FILE = "binlogFile";

  /** The source's binary log position at the backup's position. */
  public static final String BINLOG_POS = "binlogPos";

  /** When the sender started producing the bytes (ISO-8601 UTC). */
  public static final String STARTED_AT = "startedAt";

  /** When the sender finished (ISO-8601 UTC). */
  public static final String ENDED_AT = "endedAt";

  /** For logs: {@code error} or {@code slow}. */
  public static final String LOG_KIND = "logKind";

  /** For logs: the file's path on the node. */
  public static final String LOG_FILE = "logFile";

  private StreamMeta() {}
}
