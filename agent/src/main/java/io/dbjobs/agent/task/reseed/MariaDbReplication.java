package io.dbjobs.agent.task.reseed;

import io.dbjobs.common.sql.LiteralQuoter;
import io.dbjobs.common.sql.SqlIdentifiers;
import java.util.List;
import java.util.regex.Pattern;

/**
 * MariaDB: {@code SET GLOBAL gtid_slave_pos} + {@code CHANGE MASTER TO ...
 * MASTER_USE_GTID=slave_pos}. {@code RESET MASTER} first: the node's own binary logs describe its
 * old data and, with gtid_strict_mode, would clash with the GTIDs it is about to replicate.
 */
final class MariaDbReplication implements Replication {
  /** domain-server-sequence, comma-separated; empty for a server that never wrote a GTID. */
  private static final Pattern POSITION =
      Pattern.compile("(\\d{1,10}-\\d{1,10}-\\d{1,20})(,\\d{1,10}-\\d{1,10}-\\d{1,20})*");

  @Override
  public List<String> reposition(
      Source s, String gtid, List<String> channelChanges, LiteralQuoter q) {
    String position = gtid == null ? "" : gtid.replaceAll("\\s+", "");
    if (!position.isEmpty() && !POSITION.matcher(position).matches()) {
      throw Replication.badPosition("MariaDB", position);
    }
    List<String> out = new java.util.ArrayList<>();
    out.addAll(
        List.of(
            "STOP ALL SLAVES",
            "RESET SLAVE ALL",
            "RESET MASTER",
            "SET GLOBAL gtid_slave_pos = " + q.quote(position),
            "CHANGE MASTER TO MASTER_HOST="
                + q.quote(s.host())
                + ", MASTER_PORT="
                + s.port()
                + ", MASTER_USER="
                + q.quote(s.user())
                + ", MASTER_PASSWORD="
                + q.quote(s.password().reveal())
                + s.sslClause("MASTER", q)
                + ", MASTER_USE_GTID=slave_pos, MASTER_CONNECT_RETRY=5"));
    out.addAll(channelChanges);
    out.add(channelChanges.isEmpty() ? "START SLAVE" : "START ALL SLAVES");
    out.add("SET GLOBAL read_only = 1");
    return List.copyOf(out);
  }

  @Override
  public List<String> repositionByBinlog(
      Source s,
      io.dbjobs.common.backup.BackupPosition at,
      List<String> channelChanges,
      LiteralQuoter q) {
    String coordinates = at.coordinates(); // checked: a file like mysql-bin.000001, a number
    if (coordinates == null) {
      throw new io.dbjobs.common.DbJobsException(
          io.dbjobs.common.ErrorCode.REPLICATION_FAILED,
          "the restored data has no binary log file:position; replication was not touched");
    }
    String gtid = at.gtid() == null ? "" : at.gtid().replaceAll("\\s+", "");
    if (!gtid.isEmpty() && !POSITION.matcher(gtid).matches()) {
      throw Replication.badPosition("MariaDB", gtid);
    }
    List<String> out = new java.util.ArrayList<>();
    out.add("STOP ALL SLAVES");
    out.add("RESET SLAVE ALL");
    out.add("RESET MASTER");
    out.add("SET GLOBAL gtid_slave_pos = " + q.quote(gtid));
    out.add(
        "CHANGE MASTER TO MASTER_HOST="
            + q.quote(s.host())
            + ", MASTER_PORT="
            + s.port()
            + ", MASTER_USER="
            + q.quote(s.user())
            + ", MASTER_PASSWORD="
            + q.quote(s.password().reveal())
            + s.sslClause("MASTER", q)
            + ", MASTER_LOG_FILE="
            + q.quote(at.binlogFile())
            + ", MASTER_LOG_POS="
            + at.binlogPos()
            + ", MASTER_USE_GTID=no, MASTER_CONNECT_RETRY=5");
    out.addAll(channelChanges);
    out.add(channelChanges.isEmpty() ? "START SLAVE" : "START ALL SLAVES");
    out.add("SET GLOBAL read_only = 1");
    return List.copyOf(out);
  }

  @Override
  public String startAll() {
    return "START ALL SLAVES";
  }

  @Override
  public List<String> repoint(String connection, Source s, LiteralQuoter q) {
    String name = connection.isEmpty() ? "" : " " + q.quote(connection);
    return List.of(
        "STOP SLAVE" + name,
        "CHANGE MASTER"
            + name
            + " TO MASTER_HOST="
            + q.quote(s.host())
            + ", MASTER_PORT="
            + s.port()
            + ", MASTER_USER="
            + q.quote(s.user())
            + ", MASTER_PASSWORD="
            + q.quote(s.password().reveal())
            + s.sslClause("MASTER", q)
            + ", MASTER_USE_GTID=slave_pos",
        "START SLAVE" + name);
  }

  @Override
  public String startConnection(String connection, LiteralQuoter q) {
    return "START SLAVE" + (connection.isEmpty() ? "" : " " + q.quote(connection));
  }

  @Override
  public String stopAll() {
    return "STOP ALL SLAVES";
  }

  @Override
  public String disableOnReplica(String schema, String event) {
    return "ALTER EVENT " + SqlIdentifiers.qualified(schema, event) + " DISABLE ON SLAVE";
  }

  @Override
  public String primaryPositionQuery() {
    return "SELECT @@gtid_binlog_pos";
  }

  @Override
  public String waitForPositionQuery() {
    return "SELECT MASTER_GTID_WAIT(?, ?)";
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
