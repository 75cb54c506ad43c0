package io.dbjobs.agent.task.reseed;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.db.SqlErrors;
import io.dbjobs.common.net.HostPort;
import io.dbjobs.common.sql.LiteralQuoter;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * One named replication connection of a node (MariaDB multi-source: {@code CHANGE MASTER 'west' TO
 * ...}), as recorded before a reseed touches the node, so that it is set up again afterwards. It
 * goes into the reseed's journal: it holds no password (that comes from the agent's config, {@code
 * reseed.channels}, when the connection is restored).
 *
 * @param name the connection name (never empty: the default connection is the cluster's, re-pointed
 *     at the job's primary)
 * @param host the source's host
 * @param port the source's port
 * @param user the replication user on the source
 * @param useGtid {@code slave_pos}, {@code current_pos} or {@code no} (file:position, which a
 *     reseed cannot carry over: such a connection is refused before anything is touched)
 * @param ssl MASTER_SSL
 * @param sslCa MASTER_SSL_CA, or null
 * @param sslCert MASTER_SSL_CERT, or null
 * @param sslKey MASTER_SSL_KEY, or null
 * @param sslVerifyServerCert MASTER_SSL_VERIFY_SERVER_CERT
 * @param domains the GTID domains the connection had received ({@code Gtid_IO_Pos}),
 *     comma-separated; empty when none
 */
record ChannelSettings(
    String name,
    String host,
    int port,
    String user,
    String useGtid,
    boolean ssl,
    String sslCa,
    String sslCert,
    String sslKey,
    boolean sslVerifyServerCert,
    String domains) {

  /**
   * Connection names dbjobs sets up again: letters, digits, {@code _ . -}, at most 64 (MariaDB's
   * limit). Anything else is refused rather than quoted.
   */
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

  private static final Pattern USER = Pattern.compile("[^\\x00-\\x1f\\\\]{1,128}");
  private static final Pattern PATH = Pattern.compile("/[^\\x00-\\x1f\\\\']{0,511}");

  /** "connection 'west' (from 10.0.0.9:3306)", for messages. */
  String describe() {
    return "connection '" + name + "' (from " + host + ":" + port + ")";
  }

  /** The source's address as {@link HostPort}. */
  HostPort address() {
    return new HostPort(host, port);
  }

  /**
   * Checks every value before it goes into a statement (they were read from the node, which anyone
   * with SUPER may have set up): a name that is not {@link #NAME}, a host that is not a host name
   * or address, a user or file with control characters or backslashes, an unknown GTID mode.
   *
   * @throws DbJobsException PREFLIGHT_REFUSED naming the connection
   */
  ChannelSettings checked() {
    String why = null;
    if (name == null || !NAME.matcher(name).matches()) {
      why = "its name is not letters, digits, '_', '.' or '-' (at most 64)";
    } else if (user == null || !USER.matcher(user).matches()) {
      why = "its user is empty or holds control characters or a backslash";
    } else if (!List.of("slave_pos", "current_pos", "no").contains(useGtid)) {
      why = "its GTID mode '" + useGtid + "' is not known";
    } else if (!pathOk(sslCa) || !pathOk(sslCert) || !pathOk(sslKey)) {
      why = "an SSL file is not an absolute path without quotes or control characters";
    } else {
      try {
        address();
      } catch (DbJobsException e) {
        why = "its source is not a host name or address: " + e.getMessage();
      }
    }
    if (why != null) {
      throw new DbJobsException(
          ErrorCode.PREFLIGHT_REFUSED,
          "replication connection '"
              + String.valueOf(name).replaceAll("[^\\x20-\\x7e]", "?")
              + "' cannot be set up again after the reseed: "
              + why
              + "; nothing was changed");
    }
    if (useGtid.equals("no")) {
      throw new DbJobsException(
          ErrorCode.PREFLIGHT_REFUSED,
          describe()
              + " replicates by binlog file:position (MASTER_USE_GTID=no): the reseeded data"
              + " carries no position of that source, so the connection cannot be set up again;"
              + " switch it to MASTER_USE_GTID=slave_pos first; nothing was changed");
    }
    return this;
  }

  private static boolean pathOk(String p) {
    return p == null || PATH.matcher(p).matches();
  }

  /**
   * {@code CHANGE MASTER 'name' TO ...} for this connection, its password {@code password} (from
   * the agent's config), every literal quoted by {@code q}: holds the password, never log it.
   */
  String changeMaster(String password, LiteralQuoter q) {
    checked();
    StringBuilder sb = new StringBuilder("CHANGE MASTER ");
    sb.append(q.quote(name))
        .append(" TO MASTER_HOST=")
        .append(q.quote(host))
        .append(", MASTER_PORT=")
        .append(port)
        .append(", MASTER_USER=")
        .append(q.quote(user))
        .append(", MASTER_PASSWORD=")
        .append(q.quote(password))
        .append(", MASTER_USE_GTID=")
        .append(useGtid)
        .append(", MASTER_CONNECT_RETRY=5")
        .append(", MASTER_SSL=")
        .append(ssl ? 1 : 0);
    if (sslCa != null) {
      sb.append(", MASTER_SSL_CA=").append(q.quote(sslCa));
    }
    if (sslCert != null) {
      sb.append(", MASTER_SSL_CERT=").append(q.quote(sslCert));
    }
    if (sslKey != null) {
      sb.append(", MASTER_SSL_KEY=").append(q.quote(sslKey));
    }
    sb.append(", MASTER_SSL_VERIFY_SERVER_CERT=").append(sslVerifyServerCert ? 1 : 0);
    return sb.toString();
  }

  /**
   * Every named connection of the node on {@code c} (MariaDB {@code SHOW ALL SLAVES STATUS}; MySQL:
   * its named channels), each {@link #checked}.
   */
  static List<ChannelSettings> read(javax.sql.DataSource ds) {
    try (Connection c = ds.getConnection()) {
      return read(c, Repositioning.flavor(c) instanceof MariaDbReplication);
    } catch (SQLException e) {
      throw new DbJobsException(
          ErrorCode.REPLICATION_FAILED,
          "cannot read this node's replication connections before the reseed: "
              + SqlErrors.message(e),
          e);
    }
  }

  static List<ChannelSettings> read(Connection c, boolean mariadb) {
    List<ChannelSettings> out = new ArrayList<>();
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(mariadb ? "SHOW ALL SLAVES STATUS" : "SHOW REPLICA STATUS")) {
      ResultSetMetaData md = rs.getMetaData();
      while (rs.next()) {
        String name = col(rs, md, "Connection_name", "Channel_Name");
        if (name == null || name.isEmpty()) {
          continue; // the default connection: the cluster's, re-pointed at the job's primary
        }
        if (!mariadb) {
          throw new DbJobsException(
              ErrorCode.PREFLIGHT_REFUSED,
              "this MySQL node has replication channel '"
                  + name.replaceAll("[^\\x20-\\x7e]", "?")
                  + "': dbjobs sets up named channels again only on MariaDB; nothing was changed");
        }
        String gtid = col(rs, md, "Using_Gtid");
        out.add(
            new ChannelSettings(
                    name,
                    col(rs, md, "Master_Host"),
                    Integer.parseInt(col(rs, md, "Master_Port").trim()),
                    col(rs, md, "Master_User"),
                    gtid == null ? "no" : gtid.trim().toLowerCase(Locale.ROOT),
                    !"No".equalsIgnoreCase(col(rs, md, "Master_SSL_Allowed")),
                    blankToNull(col(rs, md, "Master_SSL_CA_File")),
                    blankToNull(col(rs, md, "Master_SSL_Cert")),
                    blankToNull(col(rs, md, "Master_SSL_Key")),
                    "Yes".equalsIgnoreCase(col(rs, md, "Master_SSL_Verify_Server_Cert")),
                    domains(col(rs, md, "Gtid_IO_Pos")))
                .checked());
      }
    } catch (SQLException e) {
      throw new DbJobsException(
          ErrorCode.REPLICATION_FAILED,
          "cannot read this node's replication connections before the reseed: "
              + SqlErrors.message(e),
          e);
    }
    return out;
  }

  /** The domains of a MariaDB GTID list ({@code 0-1-5,7-9-3} gives {@code 0,7}). */
  static String domains(String gtidList) {
    if (gtidList == null || gtidList.isBlank()) {
      return "";
    }
    List<String> d = new ArrayList<>();
    for (String g : gtidList.replaceAll("\\s+", "").split(",")) {
      int dash = g.indexOf('-');
      if (dash > 0 && g.substring(0, dash).matches("\\d{1,10}")) {
        d.add(g.substring(0, dash));
      }
    }
    return String.join(",", d);
  }

  /** The part of MariaDB GTID list {@code position} in this connection's domains. */
  String inMyDomains(String position) {
    if (position == null || domains.isEmpty()) {
      return "";
    }
    List<String> mine = List.of(domains.split(","));
    List<String> out = new ArrayList<>();
    for (String g : position.replaceAll("\\s+", "").split(",")) {
      int dash = g.indexOf('-');
      if (dash > 0 && mine.contains(g.substring(0, dash))) {
        out.add(g);
      }
    }
    return String.join(",", out);
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }

  private static String col(ResultSet rs, ResultSetMetaData md, String... names)
      throws SQLException {
    for (String n : names) {
      for (int i = 1; i <= md.getColumnCount(); i++) {
        if (md.getColumnLabel(i).equalsIgnoreCase(n)) {
          return rs.getString(i);
        }
      }
    }
    return null;
  }
}
