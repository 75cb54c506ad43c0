package io.dbjobs.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbjobs.testkit.BackgroundWriter;
import io.dbjobs.testkit.DbServer;
import io.dbjobs.testkit.TableChecksums;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --position binlog}: replicas that replicate by binary log file:position ({@code
 * MASTER_USE_GTID=no}) are reseeded from data taken from the primary, while it is written, and are
 * positioned by that data's file:position: afterwards they replicate by file:position and hold
 * exactly the primary's rows (none missing, none doubled).
 */
class BinlogPositionReseedIT {
  @TempDir static Path dir;
  private static FleetFixture fleet;

  @BeforeAll
  static void start() {
    fleet = new FleetFixture("bl", 3, dir, true);
    try {
      fleet
          .node(1)
          .execute(
              "CREATE DATABASE shop",
              "CREATE TABLE shop.orders (id INT PRIMARY KEY, v VARCHAR(20))",
              "INSERT INTO shop.orders VALUES (1, 'a'), (2, 'b')");
      BackgroundWriter.start(fleet.node(1), "app").stop(); // its schema exists before any dump
      for (DbServer r : fleet.cluster.replicas()) {
        r.execute("STOP SLAVE", "CHANGE MASTER TO MASTER_USE_GTID=no", "START SLAVE");
      }
      fleet.cluster.awaitReplication(Duration.ofSeconds(60));
      fleet.startAgents();
    } catch (RuntimeException e) {
      stop();
      throw e;
    }
  }

  @AfterAll
  static void stop() {
    if (fleet != null) {
      fleet.close();
    }
  }

  /** "io sql Using_Gtid" of the default connection. */
  private static String replication(DbServer s) {
    try (Connection c = s.connect();
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SHOW SLAVE STATUS")) {
      return rs.next()
          ? rs.getString("Slave_IO_Running")
              + " "
              + rs.getString("Slave_SQL_Running")
              + " "
              + rs.getString("Using_Gtid")
          : "not a replica";
    } catch (java.sql.SQLException e) {
      throw new AssertionError(e);
    }
  }

  private static void assertReplicatesByFilePosition(DbServer replica, String task) {
    assertThat(replication(replica)).isEqualTo("Yes Yes No");
    fleet.node(1).execute("INSERT INTO shop.orders SELECT MAX(id) + 1, 'after' FROM shop.orders");
    fleet.cluster.awaitReplication(Duration.ofSeconds(120));
    assertThat(TableChecksums.of(replica)).isEqualTo(TableChecksums.of(fleet.node(1)));
    assertThat(
            replica.value(
                "SELECT result FROM replication_manager_schema.jobs WHERE task='"
                    + task
                    + "' ORDER BY id DESC LIMIT 1"))
        .contains("from binlog mysql-bin.");
  }

  @Test
  void logicalmasterPositionsByTheDumpsFilePositionWhileThePrimaryIsWritten() {
    DbServer replica = fleet.node(2);
    replica.execute("STOP SLAVE", "SET SESSION sql_log_bin=0", "DELETE FROM shop.orders");
    try (BackgroundWriter writer = BackgroundWriter.start(fleet.node(1), "app")) {
      FleetFixture.Run r =
          fleet.cli("reseed", "--node", "bl2", "--method", "logicalmaster", "--position", "binlog");
      assertThat(r.exit()).as(r.toString()).isZero();
      assertThat(writer.rows()).isPositive();
      writer.stop();
    }
    assertReplicatesByFilePosition(replica, "reseed-logical");
  }

  @Test
  void physicaldonorFromThePrimaryPositionsByTheBackupsFilePosition() {
    DbServer replica = fleet.node(3);
    replica.execute("STOP SLAVE", "SET SESSION sql_log_bin=0", "DELETE FROM shop.orders");
    try (BackgroundWriter writer = BackgroundWriter.start(fleet.node(1), "app")) {
      FleetFixture.Run r =
          fleet.cli(
              "reseed",
              "--node",
              "bl3",
              "--method",
              "physicaldonor",
              "--donor",
              "bl1",
              "--position",
              "binlog");
      assertThat(r.exit()).as(r.toString()).isZero();
      assertThat(writer.rows()).isPositive();
      writer.stop();
    }
    assertReplicatesByFilePosition(replica, "reseed-physical");
  }

  @Test
  void anOperatorsFilePositionPositionsACopyOfAReplica() throws Exception {
    DbServer replica = fleet.node(2);
    // nothing is written meanwhile: the donor bl3 holds exactly what the primary's binary log has
    // up to its current end, which is the file:position the operator gives
    fleet.cluster.awaitReplication(Duration.ofSeconds(60));
    String at;
    try (Connection c = fleet.node(1).connect();
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SHOW MASTER STATUS")) {
      rs.next();
      at = rs.getString(1) + ":" + rs.getLong(2);
    }
    replica.execute("STOP SLAVE", "SET SESSION sql_log_bin=0", "DELETE FROM shop.orders");
    FleetFixture.Run r =
        fleet.cli(
            "reseed",
            "--node",
            "bl2",
            "--method",
            "physicaldonor",
            "--donor",
            "bl3",
            "--binlog",
            at);
    assertThat(r.exit()).as(r.toString()).isZero();
    assertReplicatesByFilePosition(replica, "reseed-physical");
    assertThat(
            replica.value(
                "SELECT result FROM replication_manager_schema.jobs WHERE task='reseed-physical'"
                    + " ORDER BY id DESC LIMIT 1"))
        .contains("from binlog " + at);
  }

  @Test
  void refusesFilePositionOfDataNotTakenFromThePrimaryAndAnUnknownChoice() {
    FleetFixture.Run fromReplica =
        fleet.cli(
            "reseed",
            "--node",
            "bl2",
            "--method",
            "physicaldonor",
            "--donor",
            "bl3",
            "--position",
            "binlog");
    assertThat(fromReplica.exit()).as(fromReplica.toString()).isEqualTo(7);
    assertThat(fromReplica.err())
        .contains("only when the data comes from the primary bl1")
        .contains("nothing was changed");
    FleetFixture.Run bad =
        fleet.cli("reseed", "--node", "bl2", "--method", "logicalmaster", "--position", "file'pos");
    assertThat(bad.exit()).as(bad.toString()).isEqualTo(2);
    assertThat(bad.err()).contains("--position must be gtid or binlog");
    FleetFixture.Run hostile =
        fleet.cli(
            "reseed",
            "--node",
            "bl2",
            "--method",
            "logicalmaster",
            "--binlog",
            "mysql-bin.000001', MASTER_HOST='evil.example:4");
    assertThat(hostile.exit()).as(hostile.toString()).isEqualTo(2);
    assertThat(hostile.err()).contains("--binlog: binary log file").contains("is not a file name");
  }
}
