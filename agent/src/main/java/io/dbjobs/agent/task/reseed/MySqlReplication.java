package io.dbjobs.agent.task.reseed;

import java.util.List;

/**
 * MySQL 8: {@code RESET MASTER} + {@code SET GLOBAL gtid_purged} + {@code CHANGE REPLICATION SOURCE
 * TO ... SOURCE_AUTO_POSITION=1}. Needs {@code gtid_mode=ON} on both ends.
 */
final class MySqlReplication implements Replication {
  @Override
  public List<String> reposition(Source s, String gtid) {
    return List.of(
        "STOP REPLICA",
        "RESET REPLICA ALL",
        "RESET MASTER",
        "SET GLOBAL gtid_purged = " + Replication.literal(gtid == null ? "" : gtid),
        "CHANGE REPLICATION SOURCE TO SOURCE_HOST="
            + Replication.literal(s.host())
            + ", SOURCE_PORT="
            + s.port()
            + ", SOURCE_USER="
            + Replication.literal(s.user())
            + ", SOURCE_PASSWORD="
            + Replication.literal(s.password())
            + ", SOURCE_AUTO_POSITION=1, SOURCE_CONNECT_RETRY=5, GET_SOURCE_PUBLIC_KEY=1",
        "START REPLICA",
        "SET GLOBAL read_only = 1");
  }

  @Override
  public List<String> repoint(String connection, Source s) {
    String channel = " FOR CHANNEL " + Replication.literal(connection);
    return List.of(
        "STOP REPLICA" + channel,
        "CHANGE REPLICATION SOURCE TO SOURCE_HOST="
            + Replication.literal(s.host())
            + ", SOURCE_PORT="
            + s.port()
            + ", SOURCE_USER="
            + Replication.literal(s.user())
            + ", SOURCE_PASSWORD="
            + Replication.literal(s.password())
            + ", SOURCE_AUTO_POSITION=1, GET_SOURCE_PUBLIC_KEY=1"
            + channel,
        "START REPLICA" + channel);
  }

  @Override
  public String startConnection(String connection) {
    return "START REPLICA FOR CHANNEL " + Replication.literal(connection);
  }

  @Override
  public String stopAll() {
    return "STOP REPLICA";
  }

  @Override
  public String disableOnReplica(String schema, String event) {
    return "ALTER EVENT " + KeptAside.q(schema) + "." + KeptAside.q(event) + " DISABLE ON REPLICA";
  }

  @Override
  public String primaryPositionQuery() {
    return "SELECT @@GLOBAL.gtid_executed";
  }

  @Override
  public String waitForPositionQuery(String position, int seconds) {
    return "SELECT WAIT_FOR_EXECUTED_GTID_SET("
        + Replication.literal(position)
        + ", "
        + seconds
        + ")";
  }

  @Override
  public String statusQuery() {
    return "SHOW REPLICA STATUS";
  }

  @Override
  public List<String> statusColumns() {
    return List.of(
        "Replica_IO_Running",
        "Replica_SQL_Running",
        "Last_IO_Error",
        "Last_SQL_Error",
        "Seconds_Behind_Source");
  }
}
