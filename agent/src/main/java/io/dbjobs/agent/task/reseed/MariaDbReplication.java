package io.dbjobs.agent.task.reseed;

import java.util.List;

/**
 * MariaDB: {@code SET GLOBAL gtid_slave_pos} + {@code CHANGE MASTER TO ...
 * MASTER_USE_GTID=slave_pos}. {@code RESET MASTER} first: the node's own binary logs describe its
 * old data and, with gtid_strict_mode, would clash with the GTIDs it is about to replicate.
 */
final class MariaDbReplication implements Replication {
  @Override
  public List<String> reposition(Source s, String gtid) {
    return List.of(
        "STOP ALL SLAVES",
        "RESET SLAVE ALL",
        "RESET MASTER",
        "SET GLOBAL gtid_slave_pos = " + Replication.literal(gtid == null ? "" : gtid),
        "CHANGE MASTER TO MASTER_HOST="
            + Replication.literal(s.host())
            + ", MASTER_PORT="
            + s.port()
            + ", MASTER_USER="
            + Replication.literal(s.user())
            + ", MASTER_PASSWORD="
            + Replication.literal(s.password())
            + ", MASTER_USE_GTID=slave_pos, MASTER_CONNECT_RETRY=5",
        "START SLAVE",
        "SET GLOBAL read_only = 1");
  }

  @Override
  public List<String> repoint(String connection, Source s) {
    String name = connection.isEmpty() ? "" : " " + Replication.literal(connection);
    return List.of(
        "STOP SLAVE" + name,
        "CHANGE MASTER"
            + name
            + " TO MASTER_HOST="
            + Replication.literal(s.host())
            + ", MASTER_PORT="
            + s.port()
            + ", MASTER_USER="
            + Replication.literal(s.user())
            + ", MASTER_PASSWORD="
            + Replication.literal(s.password())
            + ", MASTER_USE_GTID=slave_pos",
        "START SLAVE" + name);
  }

  @Override
  public String startConnection(String connection) {
    return "START SLAVE" + (connection.isEmpty() ? "" : " " + Replication.literal(connection));
  }

  @Override
  public String stopAll() {
    return "STOP ALL SLAVES";
  }

  @Override
  public String disableOnReplica(String schema, String event) {
    return "ALTER EVENT " + KeptAside.q(schema) + "." + KeptAside.q(event) + " DISABLE ON SLAVE";
  }

  @Override
  public String primaryPositionQuery() {
    return "SELECT @@gtid_binlog_pos";
  }

  @Override
  public String waitForPositionQuery(String position, int seconds) {
    return "SELECT MASTER_GTID_WAIT(" + Replication.literal(position) + ", " + seconds + ")";
  }

  @Override
  public String statusQuery() {
    return "SHOW SLAVE STATUS";
  }

  @Override
  public List<String> statusColumns() {
    return List.of(
        "Slave_IO_Running",
        "Slave_SQL_Running",
        "Last_IO_Error",
        "Last_SQL_Error",
        "Seconds_Behind_Master");
  }
}
