package io.dbjobs.common.health;

/**
 * One replication connection of a node: a row of MariaDB's {@code SHOW ALL SLAVES STATUS} (a
 * multi-source connection; {@code ""} is the default one) or of MySQL's {@code SHOW REPLICA STATUS}
 * (a channel).
 *
 * @param name the connection or channel name; {@code ""} for the default one
 * @param sourceServerId the source's server_id as last seen by the IO thread; 0 when unknown
 * @param lastIoErrno 0 when the IO thread has no error
 * @param lastSqlErrno 0 when the SQL thread has no error
 * @param secondsBehind null when the server does not know (a thread stopped)
 */
public record ReplicaChannel(
    String name,
    String sourceHost,
    int sourcePort,
    long sourceServerId,
    ThreadState io,
    ThreadState sql,
    int lastIoErrno,
    String lastIoError,
    int lastSqlErrno,
    String lastSqlError,
    Long secondsBehind) {

  public ReplicaChannel {
    name = name == null ? "" : name;
    lastIoError = lastIoError == null ? "" : lastIoError;
    lastSqlError = lastSqlError == null ? "" : lastSqlError;
  }

  /** {@code host:port} of the source. */
  public String source() {
    return sourceHost + ":" + sourcePort;
  }

  /** {@code the default connection} or {@code connection 'x'}, for messages. */
  public String describe() {
    return describe(name);
  }

  public static String describe(String name) {
    return name.isEmpty() ? "the default connection" : "connection '" + name + "'";
  }

  public boolean running() {
    return io == ThreadState.RUNNING && sql == ThreadState.RUNNING;
  }
}
