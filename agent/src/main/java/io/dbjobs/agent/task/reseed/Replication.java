package io.dbjobs.agent.task.reseed;

import java.util.List;

/**
 * How a flavor points a restored node at its primary and follows it. {@link MariaDbReplication}
 * runs for real; {@link MySqlReplication}'s statements are unit-tested. Public for the {@code
 * recover} task, which re-points a live replica ({@link #repoint}).
 */
public interface Replication {
  /**
   * The statements that make this node replicate from {@code source}, starting after {@code gtid}
   * (the restored data's position). The password is inside them: never log them.
   */
  List<String> reposition(Source source, String gtid);

  /**
   * Disables an event on this replica (it runs on the primary; its effects arrive by replication).
   */
  String disableOnReplica(String schema, String event);

  /** The query giving a primary's current GTID position (one row, one column). */
  String primaryPositionQuery();

  /** A query returning 0 once this node applied {@code position}, waiting up to {@code seconds}. */
  String waitForPositionQuery(String position, int seconds);

  /** The replica status statement ({@code SHOW SLAVE STATUS} / {@code SHOW REPLICA STATUS}). */
  String statusQuery();

  /** Column names in the status: IO thread, SQL thread, last IO error, last SQL error, lag. */
  List<String> statusColumns();

  /**
   * The statements that point one replication connection ({@code ""}: the default one; MySQL: a
   * channel) at {@code source} and start it, keeping the node's GTID position: nothing is reset.
   * The password is inside them: never log them.
   */
  List<String> repoint(String connection, Source source);

  /** Starts both threads of one replication connection. */
  String startConnection(String connection);

  /** Stops every replication connection (before the GTID position may be set). */
  String stopAll();

  /** Where to replicate from. */
  record Source(String host, int port, String user, String password) {}

  static Replication forServer(String version, String versionComment) {
    String v = (version + " " + versionComment).toLowerCase(java.util.Locale.ROOT);
    return v.contains("mariadb") ? new MariaDbReplication() : new MySqlReplication();
  }

  /** A string literal for SQL: quotes and backslashes escaped. */
  static String literal(String s) {
    return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
  }
}
