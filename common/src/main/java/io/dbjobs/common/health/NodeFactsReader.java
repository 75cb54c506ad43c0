package io.dbjobs.common.health;

import io.dbjobs.common.backup.ServerFlavor;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a server's {@link NodeFacts} over one connection. Needs {@code SLAVE MONITOR} (MySQL:
 * {@code REPLICATION CLIENT}) for the connections and {@code BINLOG MONITOR} for the binary logs
 * (MariaDB's {@code REPLICATION CLIENT} is the same privilege); the GTID variables need nothing.
 */
public final class NodeFactsReader {
  private NodeFactsReader() {}

  /** What to read besides the variables. */
  public enum Part {
    /**
     * Every replication connection ({@code SHOW ALL SLAVES STATUS} / {@code SHOW REPLICA STATUS}).
     */
    CHANNELS,
    /** The oldest binary log and the GTID state before it (a primary's). */
    OLDEST_BINLOG
  }

  public static NodeFacts read(Connection c, Part... parts) throws SQLException {
    boolean channels = has(parts, Part.CHANNELS);
    boolean oldest = has(parts, Part.OLDEST_BINLOG);
    try (Statement s = c.createStatement()) {
      String version;
      String comment;
      long serverId;
      boolean readOnly;
      boolean logBin;
      try (ResultSet rs =
          s.executeQuery(
              "SELECT @@version, @@version_comment, @@server_id, @@read_only, @@log_bin")) {
        rs.next();
        version = rs.getString(1);
        comment = rs.getString(2);
        serverId = rs.getLong(3);
        readOnly = rs.getInt(4) != 0;
        logBin = rs.getInt(5) != 0;
      }
      ServerFlavor flavor = ServerFlavor.detect(version, comment);
      if (flavor == ServerFlavor.MARIADB) {
        String binlogPos;
        String binlogState;
        String slavePos;
        String currentPos;
        try (ResultSet rs =
            s.executeQuery(
                "SELECT @@gtid_binlog_pos, @@gtid_binlog_state, @@gtid_slave_pos,"
                    + " @@gtid_current_pos")) {
          rs.next();
          binlogPos = rs.getString(1);
          binlogState = rs.getString(2);
          slavePos = rs.getString(3);
          currentPos = rs.getString(4);
        }
        return new NodeFacts(
            flavor,
            version,
            serverId,
            readOnly,
            logBin,
            channels ? channels(s, true) : List.of(),
            binlogPos,
            binlogState,
            slavePos,
            currentPos,
            "",
            "",
            oldest && logBin ? oldestMariaDb(c, s) : null);
      }
      String executed;
      String purged;
      try (ResultSet rs = s.executeQuery("SELECT @@GLOBAL.gtid_executed, @@GLOBAL.gtid_purged")) {
        rs.next();
        executed = rs.getString(1);
        purged = rs.getString(2);
      }
      NodeFacts.OldestBinlog first = null;
      if (oldest && logBin) {
        try (ResultSet rs = s.executeQuery("SHOW BINARY LOGS")) {
          first = rs.next() ? new NodeFacts.OldestBinlog(rs.getString(1), "") : null;
        }
      }
      return new NodeFacts(
          flavor,
          version,
          serverId,
          readOnly,
          logBin,
          channels ? channels(s, false) : List.of(),
          "",
          "",
          "",
          "",
          executed,
          purged,
          first);
    }
  }

  private static NodeFacts.OldestBinlog oldestMariaDb(Connection c, Statement s)
      throws SQLException {
    String file;
    try (ResultSet rs = s.executeQuery("SHOW BINARY LOGS")) {
      if (!rs.next()) {
        return null;
      }
      file = rs.getString(1);
    }
    try (PreparedStatement ps = c.prepareStatement("SELECT BINLOG_GTID_POS(?, 4)")) {
      ps.setString(1, file);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return new NodeFacts.OldestBinlog(file, rs.getString(1));
      }
    }
  }

  private static List<ReplicaChannel> channels(Statement s, boolean mariadb) throws SQLException {
    List<ReplicaChannel> out = new ArrayList<>();
    try (ResultSet rs = s.executeQuery(mariadb ? "SHOW ALL SLAVES STATUS" : replicaStatus(s))) {
      ResultSetMetaData md = rs.getMetaData();
      while (rs.next()) {
        String lag = col(rs, md, "Seconds_Behind_Master", "Seconds_Behind_Source");
        String serverId = col(rs, md, "Master_Server_Id", "Source_Server_Id");
        out.add(
            new ReplicaChannel(
                mariadb ? col(rs, md, "Connection_name") : col(rs, md, "Channel_Name"),
                col(rs, md, "Master_Host", "Source_Host"),
                parseInt(col(rs, md, "Master_Port", "Source_Port")),
                serverId == null || serverId.isBlank() ? 0 : Long.parseLong(serverId.trim()),
                ThreadState.of(col(rs, md, "Slave_IO_Running", "Replica_IO_Running")),
                ThreadState.of(col(rs, md, "Slave_SQL_Running", "Replica_SQL_Running")),
                parseInt(col(rs, md, "Last_IO_Errno")),
                col(rs, md, "Last_IO_Error"),
                parseInt(col(rs, md, "Last_SQL_Errno")),
                col(rs, md, "Last_SQL_Error"),
                lag == null || lag.isBlank() ? null : Long.parseLong(lag.trim())));
      }
    }
    return out;
  }

  /** MySQL 8.0.22+ says SHOW REPLICA STATUS; older servers only SHOW SLAVE STATUS. */
  private static String replicaStatus(Statement s) throws SQLException {
    try (ResultSet rs = s.executeQuery("SELECT @@version")) {
      rs.next();
      String[] v = rs.getString(1).split("[.-]");
      int major = Integer.parseInt(v[0]);
      int minor = v.length > 1 ? Integer.parseInt(v[1]) : 0;
      int patch = v.length > 2 ? Integer.parseInt(v[2].replaceAll("\\D.*", "")) : 0;
      boolean replica = major > 8 || (major == 8 && (minor > 0 || patch >= 22));
      return replica ? "SHOW REPLICA STATUS" : "SHOW SLAVE STATUS";
    }
  }

  private static String col(ResultSet rs, ResultSetMetaData md, String... names)
      throws SQLException {
    for (String name : names) {
      for (int i = 1; i <= md.getColumnCount(); i++) {
        if (md.getColumnLabel(i).equalsIgnoreCase(name)) {
          return rs.getString(i);
        }
      }
    }
    return null;
  }

  private static int parseInt(String s) {
    return s == null || s.isBlank() ? 0 : Integer.parseInt(s.trim());
  }

  private static boolean has(Part[] parts, Part p) {
    for (Part x : parts) {
      if (x == p) {
        return true;
      }
    }
    return false;
  }
}
