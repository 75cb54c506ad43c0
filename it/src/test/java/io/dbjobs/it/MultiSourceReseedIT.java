package io.dbjobs.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dbjobs.testkit.DbBackend;
import io.dbjobs.testkit.DbServer;
import io.dbjobs.testkit.MariaDbCluster;
import io.dbjobs.testkit.ServerOptions;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A multi-source replica keeps its second connection across reseeds: ms2 and ms3 replicate from the
 * cluster's primary ms1 (default connection) and from a third server {@code west} (own GTID domain
 * 7) through connection 'west'. After a physical reseed from ms3 and a logical one from the
 * primary, both of ms2's connections run, and rows written to both sources afterwards arrive.
 */
class MultiSourceReseedIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir static Path dir;
  private static FleetFixture fleet;
  private static DbServer west;

  @BeforeAll
  static void start() {
    fleet = new FleetFixture("ms", 3, dir, true);
    try {
      DbBackend backend = DbBackend.fromSystemProperty();
      west = backend.start("mswest", 70, ServerOptions.defaults().set("gtid-domain-id", "7"));
      west.execute(
          "CREATE DATABASE westdb",
          "CREATE TABLE westdb.t (id INT PRIMARY KEY, v VARCHAR(50))",
          "INSERT INTO westdb.t VALUES (1, 'before'), (2, 'before')");
      fleet
          .node(1)
          .execute(
              "CREATE DATABASE eastdb",
              "CREATE TABLE eastdb.t (id INT PRIMARY KEY, v VARCHAR(50))",
              "INSERT INTO eastdb.t VALUES (1, 'before')");
      for (DbServer r : List.of(fleet.node(2), fleet.node(3))) {
        r.execute(
            "CHANGE MASTER 'west' TO MASTER_HOST='"
                + backend.replicationHost(west)
                + "', MASTER_PORT="
                + backend.replicationPort(west)
                + ", MASTER_USER='"
                + backend.replicationUser()
                + "', MASTER_PASSWORD='"
                + backend.replicationPassword()
                + "', MASTER_USE_GTID=slave_pos, MASTER_CONNECT_RETRY=1",
            "START SLAVE 'west'");
      }
      awaitBoth(fleet.node(2));
      awaitBoth(fleet.node(3));
      fleet.startAgents();
    } catch (RuntimeException e) {
      stop();
      throw e;
    }
  }

  @AfterAll
  static void stop() {
    if (west != null) {
      west.close();
    }
    if (fleet != null) {
      fleet.close();
    }
  }

  private static void awaitBoth(DbServer replica) {
    fleet.cluster.awaitReplication(Duration.ofSeconds(120));
    MariaDbCluster.awaitApplied(
        replica, west.value("SELECT @@gtid_binlog_pos"), Duration.ofSeconds(120));
  }

  /** "name host:port io sql" of every connection of {@code s}. */
  private static List<String> connections(DbServer s) {
    List<String> out = new ArrayList<>();
    try (Connection c = s.connect();
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SHOW ALL SLAVES STATUS")) {
      while (rs.next()) {
        out.add(
            "'"
                + rs.getString("Connection_name")
                + "' "
                + rs.getString("Master_Port")
                + " "
                + rs.getString("Slave_IO_Running")
                + " "
                + rs.getString("Slave_SQL_Running")
                + " "
                + rs.getString("Using_Gtid"));
      }
    } catch (java.sql.SQLException e) {
      throw new AssertionError(e);
    }
    return out;
  }

  /** After a reseed of ms2: both connections run and new rows from both sources arrive. */
  private static void assertBothConnectionsReplicate(String tag) {
    DbServer replica = fleet.node(2);
    assertThat(connections(replica))
        .containsExactlyInAnyOrder(
            "'' " + fleet.node(1).port() + " Yes Yes Slave_Pos",
            "'west' " + west.port() + " Yes Yes Slave_Pos");
    fleet
        .node(1)
        .execute("INSERT INTO eastdb.t (id, v) SELECT MAX(id) + 1, '" + tag + "' FROM eastdb.t");
    west.execute("INSERT INTO westdb.t (id, v) SELECT MAX(id) + 1, '" + tag + "' FROM westdb.t");
    awaitBoth(replica);
    assertThat(replica.value("SELECT COUNT(*) FROM westdb.t WHERE v='" + tag + "'")).isEqualTo("1");
    assertThat(replica.value("SELECT COUNT(*) FROM eastdb.t WHERE v='" + tag + "'")).isEqualTo("1");
    assertThat(replica.value("SELECT GROUP_CONCAT(id, v ORDER BY id) FROM westdb.t"))
        .isEqualTo(west.value("SELECT GROUP_CONCAT(id, v ORDER BY id) FROM westdb.t"));
    assertThat(replica.value("SELECT GROUP_CONCAT(id, v ORDER BY id) FROM eastdb.t"))
        .isEqualTo(fleet.node(1).value("SELECT GROUP_CONCAT(id, v ORDER BY id) FROM eastdb.t"));
  }

  private static String lastJobResult(DbServer node, String task) {
    return node.value(
        "SELECT result FROM replication_manager_schema.jobs WHERE task='"
            + task
            + "' ORDER BY id DESC LIMIT 1");
  }

  @Test
  void aPhysicalReseedFromADonorKeepsTheSecondConnectionAtTheRestoredPosition() throws Exception {
    west.execute("INSERT INTO westdb.t VALUES (10, 'donor has it')");
    awaitBoth(fleet.node(3));
    FleetFixture.Run r =
        fleet.cli("reseed", "--node", "ms2", "--method", "physicaldonor", "--donor", "ms3");
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(lastJobResult(fleet.node(2), "reseed-physical"))
        .contains("connections 'west' at 7-70-");
    assertBothConnectionsReplicate("after-physical");

    JsonNode nodes = JSON.readTree(fleet.cli("nodes", "--json").out());
    List<String> names = new ArrayList<>();
    for (JsonNode n : nodes) {
      if (n.get("name").asText().equals("ms2")) {
        n.get("health").get("channels").forEach(c -> names.add(c.get("name").asText()));
      }
    }
    assertThat(names).containsExactlyInAnyOrder("", "west");
  }

  @Test
  void aLogicalReseedFromThePrimaryKeepsTheSecondConnection() {
    FleetFixture.Run r = fleet.cli("reseed", "--node", "ms2", "--method", "logicalmaster");
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(lastJobResult(fleet.node(2), "reseed-logical"))
        .contains("connections 'west' at 7-70-");
    assertBothConnectionsReplicate("after-logical");
  }

  @Test
  void aConnectionThatCannotBeSetUpAgainFailsTheReseedNamingItBeforeAnythingIsTouched() {
    DbServer node = fleet.node(3);
    node.execute("STOP SLAVE 'west'", "CHANGE MASTER 'west' TO MASTER_USE_GTID=no");
    try {
      node.execute("START SLAVE 'west'");
      String before = node.value("SELECT GROUP_CONCAT(id, v ORDER BY id) FROM westdb.t");
      FleetFixture.Run r = fleet.cli("reseed", "--node", "ms3", "--method", "logicalmaster");
      assertThat(r.exit()).as(r.toString()).isEqualTo(7);
      assertThat(r.out() + r.err())
          .contains("connection 'west' (from ")
          .contains("MASTER_USE_GTID=no")
          .contains("nothing was changed");
      assertThat(node.value("SELECT GROUP_CONCAT(id, v ORDER BY id) FROM westdb.t"))
          .isEqualTo(before);
      assertThat(connections(node))
          .hasSize(2)
          .contains("'' " + fleet.node(1).port() + " Yes Yes Slave_Pos")
          .anySatisfy(c -> assertThat(c).startsWith("'west' " + west.port()).endsWith(" No"));
      west.execute("INSERT INTO westdb.t SELECT MAX(id) + 1, 'untouched' FROM westdb.t");
      awaitBoth(node);
      assertThat(node.value("SELECT COUNT(*) FROM westdb.t WHERE v='untouched'")).isEqualTo("1");
    } finally {
      node.execute(
          "STOP SLAVE 'west'",
          "CHANGE MASTER 'west' TO MASTER_USE_GTID=slave_pos",
          "START SLAVE 'west'");
    }
  }
}
