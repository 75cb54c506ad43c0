package io.dbjobs.agent.task.reseed;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.config.Secret;
import io.dbjobs.common.net.HostPort;
import io.dbjobs.common.sql.LiteralQuoter;
import java.util.List;

/**
 * How a flavor points a restored node at its primary and follows it. {@link MariaDbReplication}
 * runs for real; {@link MySqlReplication}'s statements are unit-tested. Public for the {@code
 * recover} task, which re-points a live replica ({@link #repoint}).
 */
public interface Replication {
  /**
   * The statements that make this node replicate from {@code source}, starting after {@code gtid}
   * (the restored data's position), their literals quoted by {@code literals} (run them on its
   * connection while it is open). The password is inside them: never log them.
   *
   * @throws DbJobsException REPLICATION_FAILED when {@code gtid} is not a position of this flavor
   */
  default List<String> reposition(Source source, String gtid, LiteralQuoter literals) {
    return reposition(source, gtid, List.of(), literals);
  }

  /**
   * As {@link #reposition(Source, String, LiteralQuoter)}, and with {@code channelChanges} (the
   * {@code CHANGE MASTER 'name' TO ...} of every other named connection, built by the caller) run
   * after the default connection's, then every connection started. The position covers every
   * domain, so each connection resumes where the restored data is.
   *
   * @throws DbJobsException REPLICATION_FAILED when {@code gtid} is not a position of this flavor,
   *     or (MySQL) when there are named channels
   */
  List<String> reposition(
      Source source, String gtid, List<String> channelChanges, LiteralQuoter literals);

  /**
   * The statements that make this node replicate from {@code source} by binary log file:position
   * ({@code at}'s coordinates on that source), GTID positioning off for that connection; the others
   * of {@code channelChanges} as in {@link #reposition(Source, String, List, LiteralQuoter)},
   * {@code gtid_slave_pos} set to {@code at}'s GTID when it has one. The password is inside them:
   * never log them.
   */
  List<String> repositionByBinlog(
      Source source,
      io.dbjobs.common.backup.BackupPosition at,
      List<String> channelChanges,
      LiteralQuoter literals);

  /** Starts every replication connection. */
  String startAll();

  /**
   * Disables an event on this replica (it runs on the primary; its effects arrive by replication).
   */
  String disableOnReplica(String schema, String event);

  /** The query giving a primary's current GTID position (one row, one column). */
  String primaryPositionQuery();

  /**
   * A query with two parameters, a position and a number of seconds, returning 0 once this node
   * applied the position, waiting up to the seconds.
   */
  String waitForPositionQuery();

  /** The replica status statement ({@code SHOW SLAVE STATUS} / {@code SHOW REPLICA STATUS}). */
  String statusQuery();

  /** Column names in the status: IO thread, SQL thread, last IO error, last SQL error, lag. */
  List<String> statusColumns();

  /**
   * The statements that point one replication connection ({@code ""}: the default one; MySQL: a
   * channel) at {@code source} and start it, keeping the node's GTID position: nothing is reset.
   * The password is inside them: never log them.
   */
  List<String> repoint(String connection, Source source, LiteralQuoter literals);

  /** Starts both threads of one replication connection. */
  String startConnection(String connection, LiteralQuoter literals);

  /** Stops every replication connection (before the GTID position may be set). */
  String stopAll();

  /**
   * Where to replicate from: a checked address, the replication user, its password (prints masked).
   */
  record Source(
      HostPort address, String user, Secret password, io.dbjobs.common.job.ReplicationTls tls) {
    public Source(HostPort address, String user, Secret password) {
      this(address, user, password, null);
    }

    /**
     * {@code , MASTER_SSL=1, MASTER_SSL_CA=...} (MySQL: {@code SOURCE_SSL...}) when replication
     * goes over TLS, else "".
     */
    public String sslClause(String prefix, LiteralQuoter q) {
      if (tls == null) {
        return "";
      }
      StringBuilder sb = new StringBuilder();
      sb.append(", ").append(prefix).append("_SSL=1, ");
      sb.append(prefix).append("_SSL_CA=").append(q.quote(tls.ca()));
      if (tls.cert() != null) {
        sb.append(", ").append(prefix).append("_SSL_CERT=").append(q.quote(tls.cert()));
        sb.append(", ").append(prefix).append("_SSL_KEY=").append(q.quote(tls.key()));
      }
      return sb.toString();
    }

    public String host() {
      return address.host();
    }

    public int port() {
      return address.port();
    }
  }

  static Replication forServer(String version, String versionComment) {
    String v = (version + " " + versionComment).toLowerCase(java.util.Locale.ROOT);
    return v.contains("mariadb") ? new MariaDbReplication() : new MySqlReplication();
  }

  /**
   * A string literal that means the same under every {@code sql_mode}: the quote doubled, and a
   * value holding a backslash or U+0000 refused (a backslash is an escape or not depending on
   * {@code NO_BACKSLASH_ESCAPES}). Prefer bound parameters; where a statement takes none, quote
   * with {@link io.dbjobs.common.sql.PinnedLiterals}.
   *
   * @deprecated kept for callers that still build SQL text; use a {@link
   *     java.sql.PreparedStatement} parameter or {@link io.dbjobs.common.sql.PinnedLiterals}
   * @throws DbJobsException BAD_PARAMETER for a value with a backslash or U+0000
   */
  @Deprecated
  static String literal(String s) {
    if (s.indexOf('\\') >= 0 || s.indexOf('\0') >= 0) {
      throw new DbJobsException(
          ErrorCode.BAD_PARAMETER,
          "a value with a backslash cannot be quoted the same under every sql_mode: "
              + s.replace("\0", "\\0"));
    }
    return "'" + s.replace("'", "''") + "'";
  }

  /** REPLICATION_FAILED: {@code gtid} is not a GTID position of {@code flavor}. */
  static DbJobsException badPosition(String flavor, String gtid) {
    return new DbJobsException(
        ErrorCode.REPLICATION_FAILED,
        "the restored data's position '"
            + gtid.replaceAll("[^\\x20-\\x7e]", "?")
            + "' is not a "
            + flavor
            + " GTID position; replication was not touched");
  }
}
