package io.dbjobs.manager.reprovision;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dbjobs.common.health.ReplicaChannel;
import io.dbjobs.common.health.ThreadState;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReprovisionPlanTest {
  private static final ReplicaChannel WEST =
      new ReplicaChannel(
          "west", "10.1.0.1", 3306, 11, ThreadState.RUNNING, ThreadState.RUNNING, 0, "", 0, "", 0L);

  private static ReprovisionPlan.Input input(String donorCluster, String method, String version) {
    return new ReprovisionPlan.Input(
        "east",
        "east1",
        "manual",
        List.of(
            new ReprovisionPlan.Node("east1", true, "10.11.6-MariaDB", List.of(WEST)),
            new ReprovisionPlan.Node("east2", true, "10.11.9-MariaDB", List.of()),
            new ReprovisionPlan.Node("east3", true, "10.11.9-MariaDB", List.of())),
        "west3",
        donorCluster,
        true,
        version,
        method,
        1);
  }

  @Test
  void primaryFirstThenTheOthersFromItThenTheOtherSitesConnections() {
    assertThat(ReprovisionPlan.steps(input("west", "physicaldonor", "10.11.8-MariaDB")))
        .containsExactly(
            "1. put east in maintenance (policy now manual): schedules pause, nothing automatic"
                + " runs",
            "2. rebuild east1 (the primary now) from west3 of cluster west by physicaldonor; it"
                + " ends writable (read_only=0) as east's primary, replicating from nobody on its"
                + " default connection",
            "3. rebuild east2, east3 from east1 (from a rebuilt healthy replica of east once there"
                + " is one) by physicaldonor, at most 1 at once; each is repositioned on east1 and"
                + " waits until it caught up",
            "4. set up east1's connection 'west' from 10.1.0.1:3306 again after its rebuild, at the"
                + " position the new data implies",
            "5. put east's policy back to manual");
  }

  @Test
  void refusesTheSameClusterAnotherSeriesForAPhysicalCopyAndBadOptions() {
    assertThatThrownBy(() -> ReprovisionPlan.steps(input("east", "physicaldonor", "10.11.8")))
        .hasMessageContaining("copies a cluster from another one");
    assertThatThrownBy(() -> ReprovisionPlan.steps(input("west", "physicaldonor", "11.4.2")))
        .hasMessageContaining("same server series")
        .hasMessageContaining("--method logicalmaster");
    assertThat(ReprovisionPlan.steps(input("west", "logicalmaster", "11.4.2"))).hasSize(5);
    assertThatThrownBy(() -> ReprovisionPlan.steps(input("west", "rsync'; rm", "10.11.8")))
        .hasMessageContaining("--method must be one of");
  }
}
