package io.dbjobs.manager.policy;

import static io.dbjobs.common.health.ThreadState.RUNNING;
import static io.dbjobs.common.health.ThreadState.STOPPED;
import static io.dbjobs.manager.health.HealthFixtures.NOW;
import static io.dbjobs.manager.health.HealthFixtures.from;
import static io.dbjobs.manager.health.HealthFixtures.node;
import static io.dbjobs.manager.health.HealthFixtures.primary;
import static io.dbjobs.manager.health.HealthFixtures.replica;
import static org.assertj.core.api.Assertions.assertThat;

import io.dbjobs.common.health.NodeFacts;
import io.dbjobs.manager.config.ClusterConfig;
import io.dbjobs.manager.config.ClusterPolicy;
import io.dbjobs.manager.health.ClusterDiagnosis;
import io.dbjobs.manager.health.ClusterDiagnosis.NodeRead;
import io.dbjobs.manager.health.ClusterHealth;
import io.dbjobs.manager.health.HealthFixtures;
import io.dbjobs.manager.state.Shun;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AutomaticPolicyTest {
  private static final NodeFacts STOPPED_DB2 = replica(2, "0-1-90", from("", 1, RUNNING, STOPPED));
  private static final NodeFacts STOPPED_DB3 = replica(3, "0-1-90", from("", 1, RUNNING, STOPPED));
  private static final NodeFacts ERRANT_DB3 =
      HealthFixtures.facts(3, true, List.of(from("", 1, RUNNING, RUNNING)), "0-1-100,0-3-101");

  private static ClusterHealth health(ClusterPolicy policy, NodeFacts f2, NodeFacts f3) {
    ClusterConfig c = HealthFixtures.cluster(policy, false);
    return ClusterDiagnosis.diagnose(
        c,
        List.of(
            NodeRead.of(node(c, 1), primary(1, "0-1-100")),
            NodeRead.of(node(c, 2), f2),
            NodeRead.of(node(c, 3), f3)),
        NOW);
  }

  private static AutomaticPolicy.Decision decide(ClusterHealth h) {
    return AutomaticPolicy.decide(h, false, Map.of(), false, n -> false, NOW);
  }

  private static NodeFacts ok(int id) {
    return replica(id, "0-1-100", from("", 1, RUNNING, RUNNING));
  }

  @Test
  void aStoppedReplicaIsRecoveredUnderTheAutomaticPolicy() {
    AutomaticPolicy.Decision d = decide(health(ClusterPolicy.AUTOMATIC, ok(2), STOPPED_DB3));
    assertThat(d).isInstanceOf(AutomaticPolicy.Act.class);
    AutomaticPolicy.Act a = (AutomaticPolicy.Act) d;
    assertThat(a.node().node()).isEqualTo("db3");
    assertThat(a.action()).isEqualTo(AutomaticPolicy.Action.RECOVER);
  }

  @Test
  void nothingHappensUnderTheManualPolicyOrWhenAllIsWell() {
    assertThat(decide(health(ClusterPolicy.MANUAL, ok(2), STOPPED_DB3)))
        .isInstanceOf(AutomaticPolicy.Idle.class);
    assertThat(decide(health(ClusterPolicy.AUTOMATIC, ok(2), ok(3))))
        .isInstanceOf(AutomaticPolicy.Idle.class);
  }

  @Test
  void maintenanceSkipsAndSaysSo() {
    AutomaticPolicy.Decision d = decide(health(ClusterPolicy.MAINTENANCE, ok(2), STOPPED_DB3));
    assertThat(d)
        .isEqualTo(
            new AutomaticPolicy.Skip(
                "maintenance", "cluster c is in maintenance; not repairing db3"));
  }

  @Test
  void oneActionAtATimePerCluster() {
    AutomaticPolicy.Decision d =
        AutomaticPolicy.decide(
            health(ClusterPolicy.AUTOMATIC, STOPPED_DB2, STOPPED_DB3),
            false,
            Map.of(),
            true,
            n -> false,
            NOW);
    assertThat(((AutomaticPolicy.Skip) d).reason()).isEqualTo("busy");
    AutomaticPolicy.Decision first =
        decide(health(ClusterPolicy.AUTOMATIC, STOPPED_DB2, STOPPED_DB3));
    assertThat(((AutomaticPolicy.Act) first).node().node()).isEqualTo("db2");
  }

  @Test
  void aShunnedNodeIsLeftAloneAndTheNextOneTaken() {
    ClusterHealth h = health(ClusterPolicy.AUTOMATIC, STOPPED_DB2, STOPPED_DB3);
    ClusterHealth db2Shunned =
        h.withNodes(
            h.nodes().stream()
                .map(n -> n.node().equals("db2") ? n.withShun(new Shun("db2", "", "ops", NOW)) : n)
                .toList());
    assertThat(((AutomaticPolicy.Act) decide(db2Shunned)).node().node()).isEqualTo("db3");
    ClusterHealth onlyShunned = health(ClusterPolicy.AUTOMATIC, ok(2), STOPPED_DB3);
    onlyShunned =
        onlyShunned.withNodes(
            onlyShunned.nodes().stream()
                .map(n -> n.node().equals("db3") ? n.withShun(new Shun("db3", "", "ops", NOW)) : n)
                .toList());
    assertThat(((AutomaticPolicy.Skip) decide(onlyShunned)).reason()).isEqualTo("shunned");
  }

  @Test
  void aNodeInBackOffIsLeftAloneUntilItsTime() {
    ClusterHealth h = health(ClusterPolicy.AUTOMATIC, ok(2), STOPPED_DB3);
    Map<String, Instant> until = Map.of("db3", NOW.plusSeconds(60));
    AutomaticPolicy.Decision waiting =
        AutomaticPolicy.decide(h, false, until, false, n -> false, NOW);
    assertThat(((AutomaticPolicy.Skip) waiting).reason()).isEqualTo("backoff");
    AutomaticPolicy.Decision later =
        AutomaticPolicy.decide(h, false, until, false, n -> false, NOW.plusSeconds(61));
    assertThat(later).isInstanceOf(AutomaticPolicy.Act.class);
  }

  @Test
  void aNodeWithAJobThatMustNotBeDisturbedIsLeftAlone() {
    AutomaticPolicy.Decision d =
        AutomaticPolicy.decide(
            health(ClusterPolicy.AUTOMATIC, ok(2), STOPPED_DB3),
            false,
            Map.of(),
            false,
            n -> n.equals("db3"),
            NOW);
    assertThat(((AutomaticPolicy.Skip) d).reason()).isEqualTo("busy");
  }

  @Test
  void aReseedHappensOnlyWithAutoReseed() {
    ClusterHealth h = health(ClusterPolicy.AUTOMATIC, ok(2), ERRANT_DB3);
    AutomaticPolicy.Decision off = decide(h);
    assertThat(((AutomaticPolicy.Skip) off).reason()).isEqualTo("needs-reseed");
    AutomaticPolicy.Decision on = AutomaticPolicy.decide(h, true, Map.of(), false, n -> false, NOW);
    assertThat(((AutomaticPolicy.Act) on).action()).isEqualTo(AutomaticPolicy.Action.RESEED);
  }

  @Test
  void withoutAPrimaryNothingIsRepaired() {
    ClusterConfig c = HealthFixtures.cluster(ClusterPolicy.AUTOMATIC, false);
    ClusterHealth h =
        ClusterDiagnosis.diagnose(
            c,
            List.of(
                NodeRead.failed(node(c, 1), "refused"),
                NodeRead.of(node(c, 2), ok(2)),
                NodeRead.of(node(c, 3), STOPPED_DB3)),
            NOW);
    assertThat(((AutomaticPolicy.Skip) decide(h)).reason()).isEqualTo("no-primary");
  }
}
