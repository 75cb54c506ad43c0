package io.dbjobs.manager.reseed;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.db.SqlErrors;
import io.dbjobs.manager.config.ClusterConfig;
import io.dbjobs.manager.config.NodeConfig;
import io.dbjobs.manager.fleet.NodeConnections;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/** A cluster's nodes as they are now: who is the primary, which replicas are healthy. */
final class Topology {
  /** One node's state, or why it could not be read. */
  record NodeView(
      NodeConfig node,
      boolean up,
      String error,
      String version,
      boolean mariadb,
      boolean readOnly,
      boolean replica,
      boolean ioRunning,
      boolean sqlRunning,
      Long lagSeconds,
      String gtidPosition) {
    boolean healthyReplica() {
      return up && replica && ioRunning && sqlRunning && lagSeconds != null;
    }

    String name() {
      return node.name();
    }

    /** Major.minor of the server version, e.g. 10.11. */
    String series() {
      return series(version);
    }

    static String series(String version) {
      if (version == null) {
        return null;
      }
      String[] p = version.split("[.-]");
      return p.length >= 2 ? p[0] + "." + p[1] : version;
    }
  }

  private final ClusterConfig cluster;
  private final List<NodeView> nodes;

  private Topology(ClusterConfig cluster, List<NodeView> nodes) {
    this.cluster = cluster;
    this.nodes = nodes;
  }

  static Topology read(NodeConnections connections, ClusterConfig cluster) {
    List<NodeView> out = new ArrayList<>();
    for (NodeConfig n : cluster.nodes()) {
      out.add(view(connections, n));
    }
    return new Topology(cluster, out);
  }

  private static NodeView view(NodeConnections connections, NodeConfig n) {
    try (Connection c = connections.pool(n).getConnection();
        Statement s = c.createStatement()) {
      String version;
      String comment;
      boolean readOnly;
      try (ResultSet rs = s.executeQuery("SELECT @@version, @@version_comment, @@read_only")) {
        rs.next();
        version = rs.getString(1);
        comment = rs.getString(2);
        readOnly = rs.getInt(3) != 0;
      }
      boolean mariadb =
          (version + " " + comment).toLowerCase(java.util.Locale.ROOT).contains("mariadb");
      String gtid;
      try (ResultSet rs =
          s.executeQuery(mariadb ? "SELECT @@gtid_binlog_pos" : "SELECT @@GLOBAL.gtid_executed")) {
        rs.next();
        gtid = rs.getString(1);
      }
      boolean replica = false;
      boolean io = false;
      boolean sql = false;
      Long lag = null;
      try (ResultSet rs = s.executeQuery(mariadb ? "SHOW SLAVE STATUS" : "SHOW REPLICA STATUS")) {
        if (rs.next()) {
          replica = true;
          io = "Yes".equals(rs.getString(mariadb ? "Slave_IO_Running" : "Replica_IO_Running"));
          sql = "Yes".equals(rs.getString(mariadb ? "Slave_SQL_Running" : "Replica_SQL_Running"));
          long l = rs.getLong(mariadb ? "Seconds_Behind_Master" : "Seconds_Behind_Source");
          lag = rs.wasNull() ? null : l;
        }
      }
      return new NodeView(n, true, null, version, mariadb, readOnly, replica, io, sql, lag, gtid);
    } catch (SQLException e) {
      return new NodeView(
          n, false, SqlErrors.message(e), null, true, false, false, false, false, null, null);
    }
  }

  NodeView node(String name) {
    return nodes.stream()
        .filter(v -> v.name().equals(name) || v.node().qualifiedName().equals(name))
        .findFirst()
        .orElseThrow(
            () ->
                new DbJobsException(
                    ErrorCode.NOT_FOUND, "no node " + name + " in cluster " + cluster.name()));
  }

  /**
   * The primary: {@code override} when given, else the one node that answers, is writable and
   * replicates from nobody.
   */
  NodeView primary(String override) {
    if (override != null) {
      NodeView v = node(override);
      if (!v.up()) {
        throw new DbJobsException(
            ErrorCode.NODE_UNREACHABLE,
            "the named primary " + override + " does not answer: " + v.error());
      }
      return v;
    }
    List<NodeView> writable =
        nodes.stream().filter(v -> v.up() && !v.replica() && !v.readOnly()).toList();
    if (writable.size() == 1) {
      return writable.get(0);
    }
    throw new DbJobsException(
        ErrorCode.PREFLIGHT_REFUSED,
        writable.isEmpty()
            ? "no primary found in cluster "
                + cluster.name()
                + " (no node is writable without replicating); name it with --primary"
            : "several nodes look like the primary in cluster "
                + cluster.name()
                + ": "
                + writable.stream().map(NodeView::name).toList()
                + "; name the real one with --primary");
  }

  /**
   * The primary for a node that may itself still look like one (an old primary after a failover):
   * {@code override}, else the one writable non-replica among the other nodes.
   */
  NodeView primaryExcept(String except, String override) {
    if (override != null) {
      return primary(override);
    }
    List<NodeView> writable =
        nodes.stream()
            .filter(v -> !v.name().equals(except) && v.up() && !v.replica() && !v.readOnly())
            .toList();
    if (writable.size() == 1) {
      return writable.get(0);
    }
    throw new DbJobsException(
        ErrorCode.PREFLIGHT_REFUSED,
        (writable.isEmpty()
                ? "no node other than " + except + " is the primary"
                : "several nodes look like the primary: "
                    + writable.stream().map(NodeView::name).toList())
            + "; name the primary to follow with --primary");
  }

  /**
   * The healthiest replica other than {@code except} and the {@code excluded} (shunned) nodes: both
   * threads running, least lag.
   */
  Optional<NodeView> bestReplica(String except, java.util.Set<String> excluded) {
    return nodes.stream()
        .filter(v -> !v.name().equals(except) && !excluded.contains(v.name()))
        .filter(NodeView::healthyReplica)
        .min(Comparator.comparingLong(NodeView::lagSeconds));
  }

  List<NodeView> nodes() {
    return nodes;
  }

  ClusterConfig cluster() {
    return cluster;
  }
}
