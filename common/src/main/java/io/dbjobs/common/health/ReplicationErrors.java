package io.dbjobs.common.health;

import java.util.Set;

/**
 * Decides in one place which replication errors a restart of replication repairs and which mean the
 * node's data or position cannot be trusted. MySQL/MariaDB error numbers are named in comments.
 */
public final class ReplicationErrors {
  private ReplicationErrors() {}

  /**
   * SQL-thread errors that say nothing about the data: locks, resources, interruptions, a damaged
   * relay log (recover fetches it again). Every other SQL-thread error (a row not found, a
   * duplicate key, a missing table...) means the replica's data differs from the primary's.
   */
  private static final Set<Integer> TRANSIENT_SQL =
      Set.of(
          1021, // ER_DISK_FULL
          1037, // ER_OUTOFMEMORY
          1040, // ER_CON_COUNT_ERROR
          1041, // ER_OUT_OF_RESOURCES
          1053, // ER_SERVER_SHUTDOWN
          1158, // ER_NET_READ_ERROR
          1159, // ER_NET_READ_INTERRUPTED
          1160, // ER_NET_ERROR_ON_WRITE
          1161, // ER_NET_WRITE_INTERRUPTED
          1205, // ER_LOCK_WAIT_TIMEOUT
          1213, // ER_LOCK_DEADLOCK
          1317, // ER_QUERY_INTERRUPTED
          1594, // ER_SLAVE_RELAY_LOG_READ_FAILURE: recover discards the relay log and fetches again
          1595, // ER_SLAVE_RELAY_LOG_WRITE_FAILURE
          1637, // ER_TOO_MANY_CONCURRENT_TRXS
          1927, // ER_CONNECTION_KILLED (MariaDB)
          1969); // ER_STATEMENT_TIMEOUT (MariaDB)

  /**
   * ER_MASTER_FATAL_ERROR_READING_BINLOG: the source cannot send from the replica's position (its
   * binlogs no longer hold it, or the replica has GTIDs the source never had).
   */
  public static final int SOURCE_CANNOT_SERVE_POSITION = 1236;

  /** True when restarting the SQL thread can repair this error. */
  public static boolean sqlErrorIsTransient(int errno) {
    return TRANSIENT_SQL.contains(errno);
  }

  /**
   * True when reconnecting can repair this IO-thread error: everything but the source refusing the
   * replica's position.
   */
  public static boolean ioErrorIsTransient(int errno) {
    return errno != SOURCE_CANNOT_SERVE_POSITION;
  }
}
