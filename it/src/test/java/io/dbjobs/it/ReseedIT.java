package io.dbjobs.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbjobs.testkit.BackgroundWriter;
import io.dbjobs.testkit.DbServer;
import io.dbjobs.testkit.FidelityData;
import io.dbjobs.testkit.MariaDbCluster;
import io.dbjobs.testkit.TableChecksums;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code dbjobs reseed} end to end on a real primary + 2 replicas with real agents, while a writer
 * keeps inserting into the primary.
 */
class ReseedIT {
  @TempDir static Path dir;
  private static FleetFixture fleet;

  @BeforeAll
  static void start() {
    fleet = new FleetFixture("rs", 3, dir, true);
    FidelityData.create(fleet.node(1));
    fleet.cluster.awaitReplication(Duration.ofSeconds(60));
    fleet.startAgents();
  }

  @AfterAll
  static void stop() {
    if (fleet != null) {
      fleet.close();
    }
  }

  private static void assertReplicaEqualsPrimary(DbServer replica) {
    fleet.cluster.awaitReplication(Duration.ofSeconds(120));
    assertThat(TableChecksums.of(replica)).isEqualTo(TableChecksums.of(fleet.node(1)));
    FidelityData.assertObjectsPresent(replica);
    assertThat(MariaDbCluster.replicationStatus(replica)).contains("io=Yes sql=Yes");
  }

  @Test
  void logicalmasterRebuildsAReplicaFromADumpOfThePrimaryWhileItIsWritten() {
    DbServer replica = fleet.node(2);
    replica.execute(
        "STOP SLAVE", "SET SESSION sql_log_bin=0", "DELETE FROM fidelity.customers WHERE id > 2");
    try (BackgroundWriter writer = BackgroundWriter.start(fleet.node(1), "app")) {
      FleetFixture.Run r = fleet.cli("reseed", "--node", "rs2", "--method", "logicalmaster");
      assertThat(r.exit()).as(r.toString()).isZero();
      assertThat(r.out())
          .contains("reseeding rs2 by logicalmaster from a dump of rs1 taken now")
          .contains("succeeded");
      assertThat(writer.rows()).isPositive();
      writer.stop();
    }
    assertReplicaEqualsPrimary(replica);
  }

  @Test
  void refusesToReseedThePrimaryWithoutForce() {
    fleet.cli("nodes"); // first contact creates every node's jobs table
    String before = fleet.node(1).value("SELECT COUNT(*) FROM replication_manager_schema.jobs");
    FleetFixture.Run r = fleet.cli("reseed", "--node", "rs1", "--method", "logicalmaster");
    assertThat(r.exit()).as(r.toString()).isEqualTo(7);
    assertThat(r.err()).contains("rs1 is the current primary").contains("--force");
    assertThat(fleet.node(1).value("SELECT COUNT(*) FROM replication_manager_schema.jobs"))
        .isEqualTo(before);
  }

  @Test
  void physicalbackupRestoresAnImportedExternalBackupWhileThePrimaryIsWritten() throws Exception {
    DbServer replica = fleet.node(2);
    FleetFixture.Run imp =
        fleet.cli(
            "backups",
            "import",
            "--node",
            "rs3",
            "--type",
            "physical",
            ExternalBackups.physical(dir, fleet.node(3)).toString());
    assertThat(imp.exit()).as(imp.toString()).isZero();
    replica.execute("STOP SLAVE", "SET SESSION sql_log_bin=0", "DELETE FROM fidelity.visits");
    try (BackgroundWriter writer = BackgroundWriter.start(fleet.node(1), "app")) {
      FleetFixture.Run r = fleet.cli("reseed", "--node", "rs2", "--method", "physicalbackup");
      assertThat(r.exit()).as(r.toString()).isZero();
      assertThat(r.out()).contains("by physicalbackup from backup ").contains("succeeded");
      assertThat(writer.rows()).isPositive();
      writer.stop();
    }
    assertReplicaEqualsPrimary(replica);
  }

  @Test
  void logicalbackupRestoresAnImportedGzipDump() throws Exception {
    DbServer replica = fleet.node(3);
    FleetFixture.Run imp =
        fleet.cli(
            "backups",
            "import",
            "--node",
            "rs1",
            "--type",
            "logical",
            ExternalBackups.logicalGz(dir, fleet.node(1), "fidelity").toString());
    assertThat(imp.exit()).as(imp.toString()).isZero();
    replica.execute("STOP SLAVE", "SET SESSION sql_log_bin=0", "DROP TABLE fidelity.legacy_aria");
    FleetFixture.Run r = fleet.cli("reseed", "--node", "rs3", "--method", "logicalbackup");
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out()).contains("by logicalbackup from backup ").contains("succeeded");
    assertReplicaEqualsPrimary(replica);
  }
}
