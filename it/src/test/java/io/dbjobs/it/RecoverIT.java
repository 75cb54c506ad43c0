package io.dbjobs.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dbjobs.testkit.DbServer;
import io.dbjobs.testkit.FreePorts;
import io.dbjobs.testkit.MariaDbCluster;
import io.dbjobs.testkit.TableChecksums;
import io.dbjobs.testkit.Waits;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code dbjobs recover} end to end on a real primary + 2 replicas with real agents, one fault per
 * test, each ending with the replica caught up and its tables equal to the primary's; and the
 * refusals, each changing nothing, then the same faults repaired by {@code --reseed-if-needed}. The
 * cluster is shared; every test puts rc1 back as the primary of rc2 and rc3.
 */
class RecoverIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir static Path dir;
  private static FleetFixture fleet;
  private static int rows;

  @BeforeAll
  static void start() {
    fleet = new FleetFixture("rc", 3, dir, true);
    fleet
        .node(1)
        .execute(
            "CREATE DATABASE app",
            "CREATE TABLE app.t (id INT AUTO_INCREMENT PRIMARY KEY, v VARCHAR(64) NOT NULL)"
                + " ENGINE=InnoDB");
    write(fleet.node(1), 50);
    fleet.cluster.awaitReplication(Duration.ofSeconds(60));
    fleet.startAgents();
    FleetFixture.Run r = fleet.cli("nodes"); // first contact creates every node's jobs table
    assertThat(r.exit()).as(r.toString()).isZero();
  }

  @AfterAll
  static void stop() {
    if (fleet != null) {
      fleet.close();
    }
  }

  /** rc1 the writable primary, rc2 and rc3 its read-only replicas, all caught up. */
  @AfterEach
  void resetTopology() {
    DbServer p = fleet.node(1);
    if (!p.answers()) {
      p.start();
    }
    p.execute("STOP ALL SLAVES", "RESET SLAVE ALL", "SET GLOBAL read_only=0");
    for (DbServer r : fleet.cluster.replicas()) {
      fleet.cluster.replicate(r, p);
    }
    fleet.cluster.awaitReplication(Duration.ofSeconds(60));
  }

  private static void write(DbServer primary, int n) {
    String[] sql = new String[n];
    for (int i = 0; i < n; i++) {
      sql[i] = "INSERT INTO app.t (v) VALUES ('row " + (++rows) + "')";
    }
    primary.execute(sql);
  }

  /** The node's health as {@code dbjobs nodes --json} reports it. */
  private static JsonNode health(String node) {
    FleetFixture.Run r = fleet.cli("nodes", "--json");
    try {
      for (JsonNode n : JSON.readTree(r.out())) {
        if (n.get("name").asText().equals(node)) {
          return n.get("health");
        }
      }
    } catch (java.io.IOException e) {
      throw new AssertionError("nodes --json printed no JSON: " + r, e);
    }
    throw new AssertionError("no node " + node + " in " + r);
  }

  private static void awaitDiagnosis(String node, String diagnosis) {
    Waits.until(
        node + " diagnosed " + diagnosis,
        Duration.ofSeconds(60),
        () -> health(node),
        h -> h != null && diagnosis.equals(h.get("diagnosis").asText()));
  }

  /** What recover must leave alone when it refuses. */
  private record Snapshot(
      List<String> status, String readOnly, String slavePos, String binlogState, String jobs) {}

  private static Snapshot snapshot(DbServer s) {
    return new Snapshot(
        connections(s),
        s.value("SELECT @@read_only"),
        s.value("SELECT @@gtid_slave_pos"),
        s.value("SELECT @@gtid_binlog_state"),
        s.value("SELECT COUNT(*) FROM replication_manager_schema.jobs"));
  }

  /** "name host port io sql" of every replication connection. */
  private static List<String> connections(DbServer s) {
    try (java.sql.Connection c = s.connect();
        java.sql.Statement st = c.createStatement();
        java.sql.ResultSet rs = st.executeQuery("SHOW ALL SLAVES STATUS")) {
      List<String> out = new java.util.ArrayList<>();
      while (rs.next()) {
        out.add(
            String.join(
                " ",
                rs.getString("Connection_name"),
                rs.getString("Master_Host"),
                rs.getString("Master_Port"),
                rs.getString("Slave_IO_Running"),
                rs.getString("Slave_SQL_Running")));
      }
      return out;
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(s.name() + ": " + e.getMessage(), e);
    }
  }

  private static void assertCaughtUpAndEqual(DbServer replica, DbServer primary) {
    MariaDbCluster.awaitApplied(
        replica, primary.value("SELECT @@gtid_binlog_pos"), Duration.ofSeconds(60));
    assertThat(MariaDbCluster.replicationStatus(replica)).contains("io=Yes sql=Yes");
    assertThat(replica.value("SELECT @@read_only")).isEqualTo("1");
    assertThat(TableChecksums.of(replica, "app")).isEqualTo(TableChecksums.of(primary, "app"));
    assertThat(health(replica.name()).get("diagnosis").asText()).isEqualTo("ok");
  }

  @Test
  void recoversAStoppedSqlThread() {
    DbServer replica = fleet.node(2);
    replica.execute("STOP SLAVE SQL_THREAD");
    write(fleet.node(1), 20);
    awaitDiagnosis("rc2", "stopped");
    assertThat(fleet.cli("nodes").out()).containsPattern("rc2 .* stopped");

    FleetFixture.Run r = fleet.cli("recover", "--node", "rc2");
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out())
        .contains("rc2 is stopped (stopped (the default connection): replication is stopped")
        .contains("recovering it from rc1")
        .contains("succeeded")
        .contains("rc2 recovered from stopped");
    assertCaughtUpAndEqual(replica, fleet.node(1));
  }

  @Test
  void recoversAnIoThreadThatFailedWhileThePrimaryWasDownOnceItIsBack() {
    DbServer replica = fleet.node(3);
    DbServer primary = fleet.node(1);
    primary.stop();
    awaitDiagnosis("rc3", "io-error");
    Snapshot before = snapshot(replica);

    FleetFixture.Run down = fleet.cli("recover", "--node", "rc3");
    assertThat(down.exit()).as(down.toString()).isEqualTo(4);
    assertThat(down.err()).contains("unreachable: rc1").contains("Nothing was changed");
    assertThat(snapshot(replica)).isEqualTo(before);

    primary.start();
    write(primary, 20);
    FleetFixture.Run r = fleet.cli("recover", "--node", "rc3");
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out()).contains("succeeded");
    assertCaughtUpAndEqual(replica, primary);
  }

  @Test
  void repointsAReplicaLeftOnTheOldPrimaryAfterASwitchover() {
    DbServer oldPrimary = fleet.node(1);
    DbServer newPrimary = fleet.node(2);
    DbServer left = fleet.node(3);
    // a switchover by hand: rc1 stops taking writes, rc2 catches up and takes over, rc1 follows it
    oldPrimary.execute("SET GLOBAL read_only=1");
    fleet.cluster.awaitReplication(Duration.ofSeconds(60));
    newPrimary.execute("STOP SLAVE", "RESET SLAVE ALL", "SET GLOBAL read_only=0");
    fleet.cluster.replicate(oldPrimary, newPrimary);
    write(newPrimary, 20);
    awaitDiagnosis("rc3", "wrong-primary");
    assertThat(health("rc3").get("findings").get(0).get("detail").asText())
        .contains("replicates from rc1")
        .contains("not from the primary rc2");

    FleetFixture.Run r = fleet.cli("recover", "--node", "rc3");
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out()).contains("recovering it from rc2").contains("succeeded");
    assertThat(connections(left))
        .singleElement()
        .asString()
        .contains(" " + newPrimary.port() + " Yes Yes");
    assertCaughtUpAndEqual(left, newPrimary);

    // back: rc2 stops taking writes, rc1 catches up and is the primary again (resetTopology)
    newPrimary.execute("SET GLOBAL read_only=1");
    MariaDbCluster.awaitApplied(
        oldPrimary, newPrimary.value("SELECT @@gtid_binlog_pos"), Duration.ofSeconds(60));
  }

  @Test
  void restoresReadOnlyOnAWritableReplica() {
    DbServer replica = fleet.node(3);
    replica.execute("SET GLOBAL read_only=0");
    awaitDiagnosis("rc3", "writable-replica");
    FleetFixture.Run r = fleet.cli("recover", "--cluster", "rc");
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out()).contains("rc3 is writable-replica").contains("read_only restored");
    assertThat(r.out()).doesNotContain("rc2 is");
    assertCaughtUpAndEqual(replica, fleet.node(1));
  }

  @Test
  void reportsEveryReplicationConnection() {
    DbServer replica = fleet.node(2);
    replica.execute(
        "CHANGE MASTER 'ext' TO MASTER_HOST='127.0.0.1', MASTER_PORT="
            + FreePorts.next()
            + ", MASTER_USER='repl', MASTER_PASSWORD='x', MASTER_USE_GTID=slave_pos,"
            + " MASTER_CONNECT_RETRY=1",
        "START SLAVE 'ext'");
    try {
      awaitDiagnosis("rc2", "io-error");
      JsonNode h = health("rc2");
      assertThat(h.get("channels")).hasSize(2);
      assertThat(h.get("clusterChannel").asText()).isEmpty();
      assertThat(h.get("findings").get(0).get("channel").asText()).isEqualTo("ext");
      assertThat(h.get("verdict").asText()).isEqualTo("recoverable");
    } finally {
      replica.execute("STOP SLAVE 'ext'", "RESET SLAVE 'ext' ALL");
    }
  }

  @Test
  void refusesAReplicaWithALocalWriteChangingNothingThenReseedsItWhenAllowed() {
    DbServer replica = fleet.node(3);
    replica.execute("INSERT INTO app.t (v) VALUES ('written on the replica')");
    awaitDiagnosis("rc3", "errant-transactions");
    Snapshot before = snapshot(replica);

    FleetFixture.Run refused = fleet.cli("recover", "--node", "rc3");
    assertThat(refused.exit()).as(refused.toString()).isEqualTo(7);
    assertThat(refused.err())
        .contains("recover refused for rc3, nothing was changed")
        .contains("errant-transactions")
        .contains("0-3-")
        .contains("dbjobs reseed --node rc3 --method physicaldonor");
    assertThat(snapshot(replica)).isEqualTo(before);

    write(fleet.node(1), 10);
    FleetFixture.Run r = fleet.cli("recover", "--node", "rc3", "--reseed-if-needed");
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out())
        .contains("it cannot be recovered correctly; reseeding it by physicaldonor")
        .contains("succeeded");
    assertCaughtUpAndEqual(replica, fleet.node(1));
  }

  @Test
  void refusesAReplicaBehindPurgedBinlogsChangingNothingThenReseedsItWhenAllowed() {
    DbServer replica = fleet.node(2);
    DbServer primary = fleet.node(1);
    replica.execute("STOP SLAVE");
    write(primary, 20);
    MariaDbCluster.awaitApplied(
        fleet.node(3), primary.value("SELECT @@gtid_binlog_pos"), Duration.ofSeconds(60));
    primary.execute("FLUSH BINARY LOGS");
    String current = primary.value("SHOW MASTER STATUS");
    Waits.until(
        "the primary's older binlogs purged",
        Duration.ofSeconds(30),
        () -> {
          primary.execute("PURGE BINARY LOGS TO '" + current + "'");
          return primary.column("SHOW BINARY LOGS").equals(List.of(current));
        });
    awaitDiagnosis("rc2", "binlogs-purged");
    Snapshot before = snapshot(replica);

    FleetFixture.Run refused = fleet.cli("recover", "--node", "rc2");
    assertThat(refused.exit()).as(refused.toString()).isEqualTo(7);
    assertThat(refused.err())
        .contains("binlogs-purged")
        .contains("no longer has the binary logs")
        .contains("dbjobs reseed --node rc2 --method");
    assertThat(snapshot(replica)).isEqualTo(before);

    FleetFixture.Run r =
        fleet.cli("recover", "--node", "rc2", "--reseed-if-needed", "--method", "logicalmaster");
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out()).contains("reseeding it by logicalmaster").contains("succeeded");
    assertCaughtUpAndEqual(replica, primary);
  }
}
