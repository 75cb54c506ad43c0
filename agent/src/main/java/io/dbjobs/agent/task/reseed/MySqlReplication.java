package io.dbjobs.agent.task.reseed;

import io.dbjobs.common.sql.LiteralQuoter;
import io.dbjobs.common.sql.SqlIdentifiers;
import java.util.List;
import java.util.regex.Pattern;

/**
 * MySQL 8: {@code RESET MASTER} + {@code SET GLOBAL gtid_purged} + {@code CHANGE REPLICATION SOURCE
 * TO ... SOURCE_AUTO_POSITION=1}. Needs {@code gtid_mode=ON} on both ends.
 */
final class MySqlReplication implements Replication {
  /** uuid, then intervals (and, since 8.3, tags), per source; comma-separated. */
  private static final Pattern ONE_SOURCE =
      Pattern.compile(
          "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
              + "(:([A-Za-z_][A-Za-z0-9_]{0,31}|\\d{1,20}(-\\d{1,20})?))+");

  @Override
  public List<String> reposition(
      Source s, String gtid, List<String> channelChanges, LiteralQuoter q) {
    if (!channelChanges.isEmpty()) {
      throw new io.dbjobs.common.DbJobsException(
          io.dbjobs.common.ErrorCode.REPLICATION_FAILED,
          "named replication channels are set up again on MariaDB only; replication was not"
              + " touched");
    }
    String set = gtid == null ? "" : gtid.replaceAll("\\s+", "");
    if (!set.isEmpty()) {
      for (String part : set.split(",", -1)) {
        if (!ONE_SOURCE.matcher(part).matches()) {
          throw Replication.badPosition("MySQL", set);
        }
      }
    }
    return List.of(
        "STOP REPLICA",
        "RESET REPLICA ALL",
        "RESET MASTER",
        "SET GLOBAL gtid_purged = " + q.quote(set),
        "CHANGE REPLICATION SOURCE TO SOURCE_HOST="
            + q.quote(s.host())
            + ", SOURCE_PORT="
            + s.port()
            + ", SOURCE_USER="
            + q.quote(s.user())
            + ", SOURCE_PASSWORD="
            + q.quote(s.password().reveal())
            + s.sslClause("SOURCE", q)
            + ", SOURCE_AUTO_POSITION=1, SOURCE_CONNECT_RETRY=5, GET_SOURCE_PUBLIC_KEY=1",
        "START REPLICA",
        "SET GLOBAL read_only = 1");
  }

  @Override
  public List<String> repoint(String connection, Source s, LiteralQuoter q) {
    String channel = " FOR CHANNEL " + q.quote(connection);
    return List.of(
        "STOP REPLICA" + channel,
        "CHANGE REPLICATION SOURCE TO SOURCE_HOST="
            + q.quote(s.host())
            + ", SOURCE_PORT="
            + s.port()
            + ", SOURCE_USER="
            + q.quote(s.user())
            + ", SOURCE_PASSWORD="
            + q.quote(s.password().reveal())
            + s.sslClause("SOURCE", q)
            + ", SOURCE_AUTO_POSITION=1, GET_SOURCE_PUBLIC_KEY=1"
            + channel,
        "START REPLICA" + channel);
  }

  @Override
  public String startConnection(String connection, LiteralQuoter q) {
    return "START REPLICA FOR CHANNEL " + q.quote(connection);
  }

  @Override
  public List<String> repositionByBinlog(
      Source s,
      io.dbjobs.common.backup.BackupPosition at,
      List<String> channelChanges,
      LiteralQuoter q) {
    if (!channelChanges.isEmpty()) {
      throw new io.dbjobs.common.DbJobsException(
          io.dbjobs.common.ErrorCode.REPLICATION_FAILED,
          "named replication channels are set up again on MariaDB only; replication was not"
              + " touched");
    }
    String coordinates = at.coordinates();
    if (coordinates == null) {
      throw new io.dbjobs.common.DbJobsException(
          io.dbjobs.common.ErrorCode.REPLICATION_FAILED,
          "the restored data has no binary log file:position; replication was not touched");
    }
    return List.of(
        "STOP REPLICA",
        "RESET REPLICA ALL",
        "RESET MASTER",
        "CHANGE REPLICATION SOURCE TO SOURCE_HOST="
            + q.quote(s.host())
            + ", SOURCE_PORT="
            + s.port()
            + ", SOURCE_USER="
            + q.quote(s.user())
            + ", SOURCE_PASSWORD="
            + q.quote(s.password().reveal())
            + s.sslClause("SOURCE", q)
            + ", SOURCE_LOG_FILE="
            + q.quote(at.binlogFile())
            + ", SOURCE_LOG_POS="
            + at.binlogPos()
            + ", SOURCE_AUTO_POSITION=0, SOURCE_CONNECT_RETRY=5, GET_SOURCE_PUBLIC_KEY=1",
        "START REPLICA",
        "SET GLOBAL read_only = 1");
  }

  @Override
  public String startAll() {
    return "START REPLICA";
  }

  @Override
  public String stopAll() {
    return "STOP REPLICA";
  }

  @Override
  public String disableOnReplica(String schema, String event) {
    return "ALTER EVENT " + SqlIdentifiers.qualified(schema, event) + " DISABLE ON REPLICA";
  }

  @Override
  public String primaryPositionQuery() {
    return "SELECT @@GLOBAL.gtid_executed";
  }

  @Override
  public String waitForPositionQuery() {
    return "SELECT WAIT_FOR_EXECUTED_GTID_SET(?, ?)";
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
