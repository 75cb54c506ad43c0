package io.dbjobs.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbjobs.testkit.BackgroundWriter;
import io.dbjobs.testkit.DbServer;
import io.dbjobs.testkit.FidelityData;
import io.dbjobs.testkit.MariaDbCluster;
import io.dbjobs.testkit.TableChecksums;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
  void logicalmasterRebuildsAReplicaFromAParallelDumpOfThePrimaryWhileItIsWritten() {
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
    FidelityData.assertSameAs(fleet.node(1), replica);
    assertThat(lastJobResult(replica, "reseed-logical"))
        .contains("loaded by")
        .contains("BACKUP STAGE BLOCK_COMMIT");
  }

  @Test
  void logicalbackupRestoresAParallelBackupTakenWhileThePrimaryIsWritten() {
    DbServer replica = fleet.node(3);
    String id;
    try (BackgroundWriter writer = BackgroundWriter.start(fleet.node(1), "app")) {
      FleetFixture.Run b =
          fleet.cli(
              "backup", "--node", "rs2", "--type", "logical", "--param", "chunk-mib=1", "--json");
      assertThat(b.exit()).as(b.toString()).isZero();
      assertThat(b.out()).contains("\"format\" : \"parts\"");
      Matcher m = Pattern.compile("\"id\" : \"([^\"]+-logical)\"").matcher(b.out());
      assertThat(m.find()).as(b.out()).isTrue();
      id = m.group(1);
      FleetFixture.Run v = fleet.cli("backups", "verify", id);
      assertThat(v.exit()).as(v.toString()).isZero();
      assertThat(v.out()).contains("verified");
      replica.execute("STOP SLAVE", "SET SESSION sql_log_bin=0", "DELETE FROM fidelity.numbers");
      FleetFixture.Run r =
          fleet.cli("reseed", "--node", "rs3", "--method", "logicalbackup", "--backup", id);
      assertThat(r.exit()).as(r.toString()).isZero();
      assertThat(r.out()).contains("by logicalbackup from backup " + id).contains("succeeded");
      assertThat(writer.rows()).isPositive();
      writer.stop();
    }
    assertReplicaEqualsPrimary(replica);
    FidelityData.assertSameAs(fleet.node(1), replica);
    assertThat(lastJobResult(replica, "reseed-logical")).contains("loaded by");
  }

  @Test
  void verifyFindsAChangedPartOfAParallelBackup() throws Exception {
    FleetFixture.Run b = fleet.cli("backup", "--node", "rs2", "--type", "logical", "--json");
    assertThat(b.exit()).as(b.toString()).isZero();
    Matcher m = Pattern.compile("\"id\" : \"([^\"]+-logical)\"").matcher(b.out());
    assertThat(m.find()).as(b.out()).isTrue();
    String id = m.group(1);
    Path part;
    try (var files = Files.walk(dir.resolve("catalog"))) {
      part =
          files
              .filter(p -> p.toString().contains(id) && p.toString().endsWith("000002.zst"))
              .findFirst()
              .orElseThrow();
    }
    byte[] bytes = Files.readAllBytes(part);
    bytes[bytes.length / 2] ^= 0x01;
    Files.write(part, bytes);
    FleetFixture.Run v = fleet.cli("backups", "verify", id);
    assertThat(v.exit()).as(v.toString()).isNotZero();
    assertThat(v.out() + v.err()).contains("part 2").contains("SHA-256");
  }

  /** The result of the node's latest job of {@code task}. */
  private static String lastJobResult(DbServer node, String task) {
    return node.value(
        "SELECT result FROM replication_manager_schema.jobs WHERE task='"
            + task
            + "' ORDER BY id DESC LIMIT 1");
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
    // the schema the other tests' writer fills exists and is in the dump: a reseed replaces every
    // user schema of the joiner, and the writes that replicate afterwards need it
    BackgroundWriter.start(fleet.node(1), "app").stop();
    fleet.cluster.awaitReplication(Duration.ofSeconds(60));
    FleetFixture.Run imp =
        fleet.cli(
            "backups",
            "import",
            "--node",
            "rs1",
            "--type",
            "logical",
            ExternalBackups.logicalGz(dir, fleet.node(1), "fidelity", "app").toString());
    assertThat(imp.exit()).as(imp.toString()).isZero();
    replica.execute("STOP SLAVE", "SET SESSION sql_log_bin=0", "DROP TABLE fidelity.legacy_aria");
    FleetFixture.Run r = fleet.cli("reseed", "--node", "rs3", "--method", "logicalbackup");
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out()).contains("by logicalbackup from backup ").contains("succeeded");
    assertReplicaEqualsPrimary(replica);
  }
}
