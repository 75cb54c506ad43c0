package io.dbjobs.manager.recover;

import static io.dbjobs.common.health.ThreadState.RUNNING;
import static io.dbjobs.common.health.ThreadState.STOPPED;
import static io.dbjobs.manager.health.HealthFixtures.from;
import static io.dbjobs.manager.health.HealthFixtures.node;
import static io.dbjobs.manager.health.HealthFixtures.primary;
import static io.dbjobs.manager.health.HealthFixtures.replica;
import static org.assertj.core.api.Assertions.assertThat;

import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.health.NodeFacts;
import io.dbjobs.manager.config.ClusterConfig;
import io.dbjobs.manager.config.ClusterPolicy;
import io.dbjobs.manager.config.ManagerConfig;
import io.dbjobs.manager.health.ClusterDiagnosis;
import io.dbjobs.manager.health.ClusterDiagnosis.NodeRead;
import io.dbjobs.manager.health.ClusterHealth;
import io.dbjobs.manager.health.HealthFixtures;
import io.dbjobs.manager.reseed.ReseedMethod;
import io.dbjobs.manager.state.Shun;
import java.util.List;
import org.junit.jupiter.api.Test;

class RecoverPlannerTest {
  private final ClusterConfig c = HealthFixtures.cluster(ClusterPolicy.MANUAL, false);
  private final ManagerConfig config = HealthFixtures.config(c);

  private ClusterHealth health(NodeFacts f1, NodeFacts f2, NodeFacts f3) {
    return ClusterDiagnosis.diagnose(
        c, List.of(read(1, f1), read(2, f2), read(3, f3)), HealthFixtures.NOW);
  }

  private NodeRead read(int i, NodeFacts f) {
    return f == null
        ? NodeRead.failed(node(c, i), "Connection refused")
        : NodeRead.of(node(c, i), f);
  }

  /** db3 wrote 0-3-101 itself: errant. */
  private static NodeFacts errant() {
    return HealthFixtures.facts(3, true, List.of(from("", 1, RUNNING, RUNNING)), "0-1-100,0-3-101");
  }

  @Test
  void aStoppedReplicaIsRecoveredFromThePrimaryThroughItsClusterConnection() {
    RecoverPlan p =
        RecoverPlanner.plan(
            config,
            health(
                primary(1, "0-1-100"),
                replica(2, "0-1-100", from("", 1, RUNNING, RUNNING)),
                replica(3, "0-1-90", from("", 1, RUNNING, STOPPED))),
            "db3",
            RecoverOptions.recoverOnly());
    assertThat(p).isInstanceOf(RecoverPlan.Recover.class);
    RecoverPlan.Recover r = (RecoverPlan.Recover) p;
    assertThat(r.primary()).isEqualTo("db1");
    assertThat(r.primaryAddress()).isEqualTo("10.0.0.1:3306");
    assertThat(r.connection()).isEmpty();
  }

  @Test
  void anErrantReplicaIsRefusedNamingTheReseedToRun() {
    RecoverPlan p =
        RecoverPlanner.plan(
            config,
            health(
                primary(1, "0-1-100"),
                replica(2, "0-1-100", from("", 1, RUNNING, RUNNING)),
                errant()),
            "db3",
            RecoverOptions.recoverOnly());
    assertThat(p).isInstanceOf(RecoverPlan.Refuse.class);
    RecoverPlan.Refuse r = (RecoverPlan.Refuse) p;
    assertThat(r.code()).isEqualTo(ErrorCode.PREFLIGHT_REFUSED);
    assertThat(r.message())
        .contains("recover refused for db3, nothing was changed")
        .contains("errant-transactions")
        .contains("0-3-101")
        .contains("dbjobs reseed --node db3 --method physicaldonor")
        .contains("--reseed-if-needed");
  }

  @Test
  void withReseedIfNeededAnErrantReplicaIsReseededByTheGivenOrSuggestedMethod() {
    ClusterHealth h =
        health(
            primary(1, "0-1-100"), replica(2, "0-1-100", from("", 1, RUNNING, RUNNING)), errant());
    RecoverPlan suggested = RecoverPlanner.plan(config, h, "db3", new RecoverOptions(true, null));
    assertThat(suggested).isInstanceOf(RecoverPlan.Reseed.class);
    assertThat(((RecoverPlan.Reseed) suggested).method()).isEqualTo(ReseedMethod.PHYSICALDONOR);
    RecoverPlan given =
        RecoverPlanner.plan(config, h, "db3", new RecoverOptions(true, ReseedMethod.LOGICALMASTER));
    assertThat(((RecoverPlan.Reseed) given).method()).isEqualTo(ReseedMethod.LOGICALMASTER);
  }

  @Test
  void withoutAHealthyOrWithOnlyAShunnedDonorTheSuggestionIsLogicalmaster() {
    ClusterHealth h =
        health(
            primary(1, "0-1-100"), replica(2, "0-1-90", from("", 1, STOPPED, STOPPED)), errant());
    assertThat(RecoverPlanner.suggestMethod(h, "db3")).isEqualTo(ReseedMethod.LOGICALMASTER);
    ClusterHealth shunned =
        health(
            primary(1, "0-1-100"), replica(2, "0-1-100", from("", 1, RUNNING, RUNNING)), errant());
    shunned =
        shunned.withNodes(
            shunned.nodes().stream()
                .map(
                    n ->
                        n.node().equals("db2")
                            ? n.withShun(new Shun("db2", "disk", "ops", HealthFixtures.NOW))
                            : n)
                .toList());
    assertThat(RecoverPlanner.suggestMethod(shunned, "db3")).isEqualTo(ReseedMethod.LOGICALMASTER);
  }

  @Test
  void thePrimaryIsNotRecovered() {
    RecoverPlan p =
        RecoverPlanner.plan(
            config,
            health(
                primary(1, "0-1-100"),
                replica(2, "0-1-100", from("", 1, RUNNING, RUNNING)),
                replica(3, "0-1-100", from("", 1, RUNNING, RUNNING))),
            "db1",
            RecoverOptions.recoverOnly());
    assertThat(((RecoverPlan.Refuse) p).message()).contains("db1 is the primary of cluster c");
  }

  @Test
  void withThePrimaryDownRecoverIsRefusedAsUnreachable() {
    RecoverPlan p =
        RecoverPlanner.plan(
            config,
            health(
                null,
                replica(2, "0-1-100", from("", 1, RUNNING, RUNNING)),
                replica(3, "0-1-100", from("", 1, RUNNING, STOPPED))),
            "db3",
            RecoverOptions.recoverOnly());
    RecoverPlan.Refuse r = (RecoverPlan.Refuse) p;
    assertThat(r.code()).isEqualTo(ErrorCode.NODE_UNREACHABLE);
    assertThat(r.message()).contains("unreachable: db1").contains("Nothing was changed");
  }

  @Test
  void anUnreachableNodeIsRefusedAsUnreachable() {
    RecoverPlan p =
        RecoverPlanner.plan(
            config,
            health(
                primary(1, "0-1-100"), replica(2, "0-1-100", from("", 1, RUNNING, RUNNING)), null),
            "db3",
            RecoverOptions.recoverOnly());
    assertThat(((RecoverPlan.Refuse) p).code()).isEqualTo(ErrorCode.NODE_UNREACHABLE);
  }

  @Test
  void recoverClusterTakesEveryReplicaThatIsNeitherOkNorLagging() {
    ClusterHealth h =
        health(
            primary(1, "0-1-100"),
            replica(2, "0-1-100", from("", 1, RUNNING, RUNNING)),
            replica(3, "0-1-90", from("", 1, RUNNING, STOPPED)));
    assertThat(RecoverPlanner.targets(h)).extracting(n -> n.node()).containsExactly("db3");
  }
}
