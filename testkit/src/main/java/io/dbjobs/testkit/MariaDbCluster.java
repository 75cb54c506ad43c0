package io.dbjobs.testkit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A primary and replicas with GTID replication ({@code MASTER_USE_GTID=slave_pos}), replicas {@code
 * read_only}. Closing it stops and deletes every server.
 */
public final class MariaDbCluster implements AutoCloseable {
  private final DbBackend backend;
  private final List<DbServer> nodes;

  private MariaDbCluster(DbBackend backend, List<DbServer> nodes) {
    this.backend = backend;
    this.nodes = nodes;
  }

  /** Starts {@code size} servers on the backend chosen by {@code dbjobs.it.backend}. */
  public static MariaDbCluster start(String prefix, int size) {
    return start(DbBackend.fromSystemProperty(), prefix, size, ServerOptions.defaults());
  }

  /** Starts {@code size} servers: {@code <prefix>1} is the primary, the rest replicate from it. */
  public static MariaDbCluster start(
      DbBackend backend, String prefix, int size, ServerOptions options) {
    List<DbServer> nodes = new ArrayList<>();
    try {
      for (int i = 1; i <= size; i++) {
        nodes.add(backend.start(prefix + i, i, options));
      }
      MariaDbCluster c = new MariaDbCluster(backend, nodes);
      for (DbServer r : c.replicas()) {
        c.replicate(r, c.primary());
      }
      c.awaitReplication(Duration.ofSeconds(60));
      return c;
    } catch (RuntimeException e) {
      nodes.forEach(DbServer::close);
      throw e;
    }
  }

  public DbServer primary() {
    return nodes.get(0);
  }

  public List<DbServer> replicas() {
    return nodes.subList(1, nodes.size());
  }

  public List<DbServer> nodes() {
    return List.copyOf(nodes);
  }

  public DbServer node(int oneBased) {
    return nodes.get(oneBased - 1);
  }

  public DbBackend backend() {
    return backend;
  }

  /** Makes {@code replica} replicate from {@code primary} by GTID and sets it read_only. */
  public void replicate(DbServer replica, DbServer primary) {
    replica.execute(
        "STOP SLAVE",
        "CHANGE MASTER TO MASTER_HOST='"
            + backend.replicationHost(primary)
            + "', MASTER_PORT="
            + backend.replicationPort(primary)
            + ", MASTER_USER='"
            + backend.replicationUser()
            + "', MASTER_PASSWORD='"
            + backend.replicationPassword()
            + "', MASTER_USE_GTID=slave_pos, MASTER_CONNECT_RETRY=1",
        "START SLAVE",
        "SET GLOBAL read_only=1");
  }

  /** Waits until every replica has applied the primary's current binlog position. */
  public void awaitReplication(Duration timeout) {
    String pos = primary().value("SELECT @@gtid_binlog_pos");
    for (DbServer r : replicas()) {
      awaitApplied(r, pos, timeout);
    }
  }

  /** Waits until {@code replica} has applied GTID position {@code pos}. */
  public static void awaitApplied(DbServer replica, String pos, Duration timeout) {
    if (pos == null || pos.isEmpty()) {
      return;
    }
    String r =
        replica.value(
            "SELECT MASTER_GTID_WAIT('" + pos + "', " + Math.max(1, timeout.toSeconds()) + ")");
    if (!"0".equals(r)) {
      throw new AssertionError(
          replica.name()
              + " did not reach GTID "
              + pos
              + " within "
              + timeout
              + "; its replication: "
              + replicationStatus(replica));
    }
  }

  /** IO/SQL thread states and last errors of a replica, for failure messages. */
  public static String replicationStatus(DbServer replica) {
    try (java.sql.Connection c = replica.connect();
        java.sql.Statement s = c.createStatement();
        java.sql.ResultSet rs = s.executeQuery("SHOW SLAVE STATUS")) {
      if (!rs.next()) {
        return "not a replica";
      }
      return "io="
          + rs.getString("Slave_IO_Running")
          + " sql="
          + rs.getString("Slave_SQL_Running")
          + " gtid_io_pos="
          + rs.getString("Gtid_IO_Pos")
          + " last_io_error="
          + rs.getString("Last_IO_Error")
          + " last_sql_error="
          + rs.getString("Last_SQL_Error");
    } catch (java.sql.SQLException e) {
      return "unknown (" + e.getMessage() + ")";
    }
  }

  @Override
  public void close() {
    RuntimeException first = null;
    for (DbServer n : nodes) {
      try {
        n.close();
      } catch (RuntimeException e) {
        if (first == null) {
          first = e;
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }
}
