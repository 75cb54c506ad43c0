package io.dbjobs.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reseeds refused before anything on the joiner is touched. */
class ReseedPreflightIT {
  @TempDir static Path dir;
  private static FleetFixture fleet;

  @BeforeAll
  static void start() {
    fleet = new FleetFixture("rp", 2, dir, true);
    fleet
        .node(1)
        .execute(
            "CREATE DATABASE shop",
            "CREATE TABLE shop.t (id INT AUTO_INCREMENT PRIMARY KEY, v INT)",
            "INSERT INTO shop.t (v) VALUES (1)");
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
  void refusesABackupOlderThanThePrimarysOldestBinlogAndSuggestsTheLiveMethods() throws Exception {
    FleetFixture.Run imp =
        fleet.cli(
            "backups",
            "import",
            "--node",
            "rp2",
            "--type",
            "physical",
            ExternalBackups.physical(dir, fleet.node(2)).toString());
    assertThat(imp.exit()).as(imp.toString()).isZero();
    // the primary moves on and purges the binlogs the backup would need
    // (two rotations with writes between: MariaDB keeps the previous file for its crash-recovery
    // checkpoint, so one rotation purges less than it seems)
    fleet
        .node(1)
        .execute(
            "INSERT INTO shop.t (v) VALUES (2),(3)",
            "FLUSH BINARY LOGS",
            "INSERT INTO shop.t (v) VALUES (4)",
            "FLUSH BINARY LOGS");
    java.util.List<String> logs = fleet.node(1).column("SHOW BINARY LOGS");
    fleet.cluster.awaitReplication(Duration.ofSeconds(60));
    // MariaDB keeps a binlog until InnoDB's next flush moves its crash-recovery checkpoint past it
    io.dbjobs.testkit.Waits.until(
        "the primary to purge its older binlogs",
        Duration.ofSeconds(30),
        () -> {
          fleet.node(1).execute("PURGE BINARY LOGS TO '" + logs.get(logs.size() - 1) + "'");
          return !fleet.node(1).column("SHOW BINARY LOGS").contains(logs.get(0));
        });
    String oldest = fleet.node(1).column("SHOW BINARY LOGS").get(0);
    assertThat(fleet.node(1).value("SELECT BINLOG_GTID_POS('" + oldest + "', 4)"))
        .as("precondition: the primary's binlogs no longer start at the beginning")
        .isNotEmpty();
    String jobsBefore = fleet.node(2).value("SELECT COUNT(*) FROM replication_manager_schema.jobs");

    FleetFixture.Run r = fleet.cli("reseed", "--node", "rp2", "--method", "physicalbackup");
    assertThat(r.exit()).as(r.toString()).isEqualTo(7);
    assertThat(r.err())
        .contains("is too old")
        .contains("no longer has the binary logs")
        .contains("--method physicaldonor")
        .contains("--method logicalmaster");
    assertThat(fleet.node(2).value("SELECT COUNT(*) FROM replication_manager_schema.jobs"))
        .isEqualTo(jobsBefore);
  }

  @Test
  void refusesANodeThatAlreadyRunsADestructiveJob() throws Exception {
    // a reseed that waits for a stream nobody sends holds rp2 until it is cancelled
    fleet.cli("nodes");
    // enqueued and sealed as the manager does, with a stream nobody will send
    io.dbjobs.manager.config.ManagerConfig config =
        io.dbjobs.manager.config.ManagerConfig.load(fleet.managerYml, System::getenv);
    try (io.dbjobs.manager.fleet.NodeConnections nodes =
        new io.dbjobs.manager.fleet.NodeConnections(config)) {
      nodes
          .jobs(config.node("rp2"))
          .enqueue(
              new io.dbjobs.common.job.NewJob(
                  io.dbjobs.common.job.Task.RESEED_LOGICAL,
                  java.util.Map.of("stream-id", "blocker", "primary", "127.0.0.1:1"),
                  "blocker",
                  "",
                  0,
                  "127.0.0.1",
                  io.dbjobs.common.stream.StreamSecret.mint(),
                  "test"));
    }
    String id =
        fleet
            .node(2)
            .value(
                "SELECT id FROM replication_manager_schema.jobs WHERE idempotency_key='blocker'");
    io.dbjobs.testkit.Waits.until(
        "the blocker to wait for its stream",
        Duration.ofSeconds(30),
        () ->
            "2"
                .equals(
                    fleet
                        .node(2)
                        .value(
                            "SELECT state FROM replication_manager_schema.jobs WHERE id=" + id)));

    FleetFixture.Run r = fleet.cli("reseed", "--node", "rp2", "--method", "logicalmaster");
    assertThat(r.exit()).as(r.toString()).isEqualTo(7);
    assertThat(r.err())
        .contains(
            "rp2 already has a destructive job waiting-for-stream: job " + id + " (reseed-logical)")
        .contains("dbjobs cancel --node rp2 " + id);

    FleetFixture.Run c = fleet.cli("cancel", "--node", "rp2", id, "--wait", "--timeout", "1m");
    assertThat(c.exit()).as(c.toString()).isZero();
  }

  @Test
  void refusesANodeWithoutADonorToCopy() {
    FleetFixture.Run r = fleet.cli("reseed", "--node", "rp2", "--method", "physicaldonor");
    assertThat(r.exit()).as(r.toString()).isEqualTo(7);
    assertThat(r.err()).contains("no healthy replica besides rp2").contains("--donor");
  }
}
