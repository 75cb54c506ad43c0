package io.dbjobs.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbjobs.testkit.DbBackend;
import io.dbjobs.testkit.DbServer;
import io.dbjobs.testkit.DbUsers;
import io.dbjobs.testkit.MariaDbCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code dbjobs reprovision --plan} on two real clusters: {@code re} (re1 primary, also replicating
 * from the other site's primary through connection 'west') and {@code rw}. The plan names every
 * step and every other-site connection, refuses what cannot work, and changes nothing.
 */
class ReprovisionPlanIT {
  @TempDir static Path dir;
  private static FleetFixture fleet;
  private static MariaDbCluster west;

  @BeforeAll
  static void start() throws Exception {
    fleet = new FleetFixture("re", 2, dir, true);
    try {
      west = MariaDbCluster.start("rw", 2);
      for (DbServer s : west.nodes()) {
        DbUsers.create(s, FleetFixture.AGENT_PASSWORD, FleetFixture.MANAGER_PASSWORD, true);
      }
      DbBackend b = west.backend();
      fleet
          .node(1)
          .execute(
              "CHANGE MASTER 'west' TO MASTER_HOST='"
                  + b.replicationHost(west.primary())
                  + "', MASTER_PORT="
                  + b.replicationPort(west.primary())
                  + ", MASTER_USER='"
                  + b.replicationUser()
                  + "', MASTER_PASSWORD='"
                  + b.replicationPassword()
                  + "', MASTER_USE_GTID=slave_pos, MASTER_CONNECT_RETRY=1",
              "START SLAVE 'west'");
      StringBuilder rw = new StringBuilder("  - name: rw\n    credentials:\n");
      rw.append("      user: ").append(DbUsers.MANAGER).append('\n');
      rw.append("      password: {file: ").append(dir.resolve("manager.password")).append("}\n");
      rw.append("    nodes:\n");
      for (DbServer s : west.nodes()) {
        rw.append("      - name: ").append(s.name()).append('\n');
        rw.append("        host: ").append(s.host()).append('\n');
        rw.append("        port: ").append(s.port()).append('\n');
      }
      String yml = Files.readString(fleet.managerYml);
      int receiver = yml.indexOf("\nreceiver:");
      Files.writeString(
          fleet.managerYml, yml.substring(0, receiver + 1) + rw + yml.substring(receiver + 1));
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

  private static String jobRows() {
    return fleet.node(1).value("SELECT COUNT(*) FROM replication_manager_schema.jobs")
        + "/"
        + fleet.node(2).value("SELECT COUNT(*) FROM replication_manager_schema.jobs");
  }

  @Test
  void planNamesEveryStepAndOtherSiteConnectionAndChangesNothing() {
    fleet.cli("nodes"); // first contact creates the jobs tables
    String before = jobRows();
    FleetFixture.Run r =
        fleet.cli("reprovision", "--cluster", "re", "--from", "rw2", "--plan", "--parallel", "2");
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out())
        .contains("1. put re in maintenance (policy now manual)")
        .contains("2. rebuild re1 (the primary now) from rw2 of cluster rw by physicaldonor")
        .contains("3. rebuild re2 from re1")
        .contains("at most 2 at once")
        .contains(
            "4. set up re1's connection 'west' from "
                + west.primary().host()
                + ":"
                + west.primary().port()
                + " again after its rebuild")
        .contains("5. put re's policy back to manual")
        .contains("nothing was done (--plan)");
    assertThat(jobRows()).isEqualTo(before);
    FleetFixture.Run policies = fleet.cli("policy");
    assertThat(policies.out()).doesNotContain("maintenance");
  }

  @Test
  void refusesADonorOfTheSameClusterAndRunsOnlyAsAPlan() {
    FleetFixture.Run same = fleet.cli("reprovision", "--cluster", "re", "--from", "re2", "--plan");
    assertThat(same.exit()).as(same.toString()).isEqualTo(7);
    assertThat(same.err()).contains("reprovision copies a cluster from another one");
    FleetFixture.Run run = fleet.cli("reprovision", "--cluster", "re", "--from", "rw2");
    assertThat(run.exit()).as(run.toString()).isEqualTo(2);
    assertThat(run.err()).contains("only with --plan");
  }
}
