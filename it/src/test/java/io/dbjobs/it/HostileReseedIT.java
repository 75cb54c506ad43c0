package io.dbjobs.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbjobs.testkit.MariaDbCluster;
import io.dbjobs.testkit.TableChecksums;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code --no-data} attack on {@code reseed --method logicalmaster}, replayed with a schema
 * named like an option, created on the primary and replicated. With {@code logicalDump.format: sql}
 * (mariadb-dump, what a MySQL or older primary gets) the reseed refuses before the joiner is asked
 * to do anything, its data unchanged. The parallel dump (the default) runs no tool: the same reseed
 * rebuilds the replica with every row of both schemas, the hostile one as a plain name.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HostileReseedIT {
  @TempDir static Path dir;
  private static FleetFixture fleet;

  @BeforeAll
  static void start() {
    fleet = new FleetFixture("hr", 2, dir, true);
    fleet
        .node(1)
        .execute(
            "CREATE DATABASE shop",
            "CREATE TABLE shop.t (id INT AUTO_INCREMENT PRIMARY KEY, v VARCHAR(50))",
            "INSERT INTO shop.t (v) VALUES ('a'), ('it''s'), ('back\\\\slash')",
            "CREATE DATABASE `--no-data`",
            "CREATE TABLE `--no-data`.x (id INT PRIMARY KEY)",
            "INSERT INTO `--no-data`.x VALUES (1)");
    fleet.cluster.awaitReplication(Duration.ofSeconds(60));
    fleet.startAgents();
  }

  @AfterAll
  static void stop() {
    if (fleet != null) {
      fleet.close();
    }
  }

  @Test
  @Order(1)
  void aSchemaNamedLikeAnOptionMakesLogicalmasterRefuseBeforeTheJoinerActs() {
    fleet.cli("nodes"); // first contact creates every node's jobs table
    Map<String, String> before = TableChecksums.of(fleet.node(2), "shop");
    String jobsBefore = fleet.node(2).value("SELECT COUNT(*) FROM replication_manager_schema.jobs");

    Path sqlDump =
        fleet.managerYaml(
            "manager-sql-dump.yml", fleet.cluster.nodes(), "", "logicalDump:\n  format: sql\n");
    FleetFixture.Run r =
        fleet.cliWith(sqlDump, "reseed", "--node", "hr2", "--method", "logicalmaster");
    assertThat(r.exit()).as(r.toString()).isNotZero();
    assertThat(r.err())
        .contains("the schema '--no-data' on the primary hr1 starts with '-'")
        .contains("--method physicaldonor");
    assertThat(fleet.node(2).value("SELECT COUNT(*) FROM replication_manager_schema.jobs"))
        .isEqualTo(jobsBefore);
    assertThat(TableChecksums.of(fleet.node(2), "shop")).isEqualTo(before).isNotEmpty();
    assertThat(MariaDbCluster.replicationStatus(fleet.node(2))).contains("io=Yes sql=Yes");
  }

  @Test
  @Order(2)
  void theParallelDumpRebuildsTheReplicaWithEveryRowOfBothSchemas() {
    fleet.node(2).execute("STOP SLAVE", "SET SESSION sql_log_bin=0", "DELETE FROM shop.t");
    FleetFixture.Run r = fleet.cli("reseed", "--node", "hr2", "--method", "logicalmaster");
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out()).contains("succeeded").contains("2 tables (4 rows)");
    fleet.cluster.awaitReplication(Duration.ofSeconds(120));
    assertThat(TableChecksums.of(fleet.node(2), "shop", "--no-data"))
        .isEqualTo(TableChecksums.of(fleet.node(1), "shop", "--no-data"))
        .containsKeys("shop.t", "--no-data.x");
    assertThat(fleet.node(2).value("SELECT COUNT(*) FROM shop.t")).isEqualTo("3");
    assertThat(fleet.node(2).value("SELECT COUNT(*) FROM `--no-data`.x")).isEqualTo("1");
  }
}
