package io.dbjobs.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbjobs.testkit.DbBackend;
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
 * An old primary rejoins after a failover from its own parallel logical backup (format parts): the
 * manager sends the backup's parts, the node loads them in parallel and follows the new primary.
 */
class FlashbackLogicalIT {
  @TempDir static Path dir;
  private static FleetFixture fleet;

  @BeforeAll
  static void start() {
    fleet = new FleetFixture("fl", 3, dir, true);
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

  @Test
  void anOldPrimaryRejoinsFromItsOwnParallelLogicalBackupAndLosesOnlyItsDivergentWrites() {
    DbServer old = fleet.node(1);
    DbServer next = fleet.node(2);
    FleetFixture.Run b = fleet.cli("backup", "--node", "fl1", "--type", "logical");
    assertThat(b.exit()).as(b.toString()).isZero();
    old.execute("INSERT INTO fidelity.audit (what) VALUES ('before the failover')");
    fleet.cluster.awaitReplication(Duration.ofSeconds(60));

    // failover: fb2 becomes the primary, fb3 follows it; fb1 still writes (split brain) for a bit
    next.execute("STOP SLAVE", "RESET SLAVE ALL", "SET GLOBAL read_only=0");
    DbServer third = fleet.node(3);
    third.execute(
        "STOP SLAVE",
        "CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT="
            + next.port()
            + ", MASTER_USER='repl', MASTER_PASSWORD='"
            + DbBackend.local().replicationPassword()
            + "', MASTER_USE_GTID=slave_pos",
        "START SLAVE");
    old.execute("INSERT INTO fidelity.audit (what) VALUES ('divergent: only on the old primary')");
    next.execute(
        "INSERT INTO fidelity.audit (what) VALUES ('after the failover, on the new primary')");

    FleetFixture.Run r = fleet.cli("flashback", "--node", "fl1", "--logical");
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out())
        .contains("reseeding fl1 by logicalbackup from backup ")
        .contains("replicate from fl2")
        .contains("flashback: reseeded");

    MariaDbCluster.awaitApplied(
        old, next.value("SELECT @@gtid_binlog_pos"), Duration.ofSeconds(120));
    assertThat(TableChecksums.of(old))
        .as(
            "old primary's audit %s vs new primary's %s",
            old.column("SELECT CONCAT(id, ':', what) FROM fidelity.audit ORDER BY id"),
            next.column("SELECT CONCAT(id, ':', what) FROM fidelity.audit ORDER BY id"))
        .isEqualTo(TableChecksums.of(next));
    assertThat(old.column("SELECT what FROM fidelity.audit"))
        .contains("before the failover", "after the failover, on the new primary")
        .doesNotContain("divergent: only on the old primary");
    assertThat(MariaDbCluster.replicationStatus(old)).contains("io=Yes sql=Yes");
    assertThat(old.value("SELECT @@read_only")).isEqualTo("1");
    assertThat(old.value("SELECT @@server_id")).as("its own server_id is back").isEqualTo("1");
    FidelityData.assertObjectsPresent(old);
    FidelityData.assertSameAs(next, old);
    assertThat(
            old.value(
                "SELECT result FROM replication_manager_schema.jobs WHERE task='flashback'"
                    + " ORDER BY id DESC LIMIT 1"))
        .contains("loaded by");
  }
}
