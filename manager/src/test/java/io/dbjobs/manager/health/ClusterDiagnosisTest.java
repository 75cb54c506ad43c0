package io.dbjobs.manager.health;

import static io.dbjobs.common.health.ThreadState.RUNNING;
import static io.dbjobs.common.health.ThreadState.STOPPED;
import static io.dbjobs.manager.health.HealthFixtures.from;
import static io.dbjobs.manager.health.HealthFixtures.node;
import static io.dbjobs.manager.health.HealthFixtures.primary;
import static io.dbjobs.manager.health.HealthFixtures.replica;
import static org.assertj.core.api.Assertions.assertThat;

import io.dbjobs.common.health.Diagnosis;
import io.dbjobs.common.health.NodeFacts;
import io.dbjobs.common.health.ReplicaChannel;
import io.dbjobs.common.health.ThreadState;
import io.dbjobs.common.health.Verdict;
import io.dbjobs.manager.config.ClusterConfig;
import io.dbjobs.manager.config.ClusterPolicy;
import io.dbjobs.manager.health.ClusterDiagnosis.NodeRead;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClusterDiagnosisTest {
  private final ClusterConfig c = HealthFixtures.cluster(ClusterPolicy.MANUAL, false);

  private ClusterHealth diagnose(NodeFacts f1, NodeFacts f2, NodeFacts f3) {
    return ClusterDiagnosis.diagnose(
        c, List.of(read(1, f1), read(2, f2), read(3, f3)), HealthFixtures.NOW);
  }

  private NodeRead read(int i, NodeFacts f) {
    return f == null
        ? NodeRead.failed(node(c, i), "Could not connect: Connection refused")
        : NodeRead.of(node(c, i), f);
  }

  @Test
  void theWritableNodeThatReplicatesFromNoneOfTheOthersIsThePrimary() {
    ClusterHealth h =
        diagnose(
            primary(1, "0-1-100"),
            replica(2, "0-1-100", from("", 1, RUNNING, RUNNING)),
            replica(3, "0-1-100", from("", 1, RUNNING, RUNNING)));
    assertThat(h.primary()).isEqualTo("db1");
    assertThat(h.primaries()).isEqualTo(1);
    assertThat(h.problem()).isNull();
    assertThat(h.nodes()).extracting(NodeHealth::diagnosis).containsOnly(Diagnosis.OK);
    assertThat(h.node("db1").role()).isEqualTo("primary");
    assertThat(h.node("db2").role()).isEqualTo("replica");
    assertThat(h.node("db2").lagSeconds()).isZero();
    assertThat(h.policy()).isEqualTo("manual");
  }

  @Test
  void aReplicaLeftOnTheOldPrimaryAfterASwitchoverHasTheWrongPrimary() {
    // db2 was promoted; db1 was demoted and follows db2; db3 still reads from db1
    ClusterHealth h =
        diagnose(
            replica(1, "0-1-100", from("", 2, RUNNING, RUNNING)),
            primary(2, "0-1-100"),
            replica(3, "0-1-100", from("", 1, RUNNING, RUNNING)));
    assertThat(h.primary()).isEqualTo("db2");
    NodeHealth db3 = h.node("db3");
    assertThat(db3.diagnosis()).isEqualTo(Diagnosis.WRONG_PRIMARY);
    assertThat(db3.verdict()).isEqualTo(Verdict.RECOVERABLE);
    assertThat(db3.summary())
        .contains("replicates from db1 (10.0.0.1:3306), not from the primary db2");
    assertThat(h.node("db1").diagnosis()).isEqualTo(Diagnosis.OK);
  }

  @Test
  void aSourceIsRecognisedByServerIdWhenItsAddressIsAnotherName() {
    ReplicaChannel byName =
        new ReplicaChannel("", "db1.internal", 3306, 1, RUNNING, RUNNING, 0, "", 0, "", 0L);
    ClusterHealth h =
        diagnose(
            primary(1, "0-1-100"),
            replica(2, "0-1-100", byName),
            replica(3, "0-1-100", from("", 1, RUNNING, RUNNING)));
    assertThat(h.node("db2").diagnosis()).isEqualTo(Diagnosis.OK);
  }

  @Test
  void withThePrimaryDownThereIsNoPrimaryAndReplicasShowTheirIoErrors() {
    ReplicaChannel failing =
        new ReplicaChannel(
            "",
            "10.0.0.1",
            3306,
            1,
            ThreadState.CONNECTING,
            RUNNING,
            2003,
            "Can't connect",
            0,
            "",
            null);
    ClusterHealth h =
        diagnose(null, replica(2, "0-1-100", failing), replica(3, "0-1-100", failing));
    assertThat(h.primary()).isNull();
    assertThat(h.primaries()).isZero();
    assertThat(h.problem()).contains("unreachable: db1");
    assertThat(h.node("db1").diagnosis()).isEqualTo(Diagnosis.UNREACHABLE);
    assertThat(h.node("db1").verdict()).isEqualTo(Verdict.UNKNOWN);
    assertThat(h.node("db2").diagnosis()).isEqualTo(Diagnosis.IO_ERROR);
  }

  @Test
  void twoWritableNodesReplicatingFromNobodyMakeNoPrimary() {
    ClusterHealth h =
        diagnose(
            primary(1, "0-1-100"),
            primary(2, "0-1-100"),
            replica(3, "0-1-100", from("", 1, RUNNING, RUNNING)));
    assertThat(h.primary()).isNull();
    assertThat(h.primaries()).isEqualTo(2);
    assertThat(h.problem()).contains("several nodes look like the primary").contains("db1, db2");
  }

  @Test
  void aWritableReplicaIsNotMistakenForThePrimary() {
    ClusterHealth h =
        diagnose(
            primary(1, "0-1-100"),
            replica(2, "0-1-100", from("", 1, RUNNING, RUNNING)),
            HealthFixtures.facts(3, false, List.of(from("", 1, RUNNING, RUNNING)), "0-1-100"));
    assertThat(h.primary()).isEqualTo("db1");
    assertThat(h.node("db3").diagnosis()).isEqualTo(Diagnosis.WRITABLE_REPLICA);
  }

  @Test
  void aNamedConnectionFromOutsideIsJudgedButIsNotTheClusterConnection() {
    ReplicaChannel outside =
        new ReplicaChannel("dr", "10.9.9.9", 3306, 99, STOPPED, STOPPED, 0, "", 0, "", null);
    ClusterHealth h =
        diagnose(
            primary(1, "0-1-100"),
            replica(2, "0-1-100", from("", 1, RUNNING, RUNNING), outside),
            replica(3, "0-1-100", from("", 1, RUNNING, RUNNING)));
    NodeHealth db2 = h.node("db2");
    assertThat(db2.clusterChannel()).isEmpty();
    assertThat(db2.diagnosis()).isEqualTo(Diagnosis.STOPPED);
    assertThat(db2.findings())
        .singleElement()
        .satisfies(f -> assertThat(f.channel()).isEqualTo("dr"));
    assertThat(db2.channels()).hasSize(2);
  }

  @Test
  void aReplicaReadingTheClusterThroughANamedConnectionUsesIt() {
    ClusterHealth h =
        diagnose(
            primary(1, "0-1-100"),
            replica(2, "0-1-100", from("prod", 1, RUNNING, STOPPED)),
            replica(3, "0-1-100", from("", 1, RUNNING, RUNNING)));
    assertThat(h.node("db2").clusterChannel()).isEqualTo("prod");
    assertThat(h.node("db2").diagnosis()).isEqualTo(Diagnosis.STOPPED);
  }

  @Test
  void aReadOnlyNodeWithoutReplicationIsStandaloneAndStopped() {
    ClusterHealth h =
        diagnose(
            primary(1, "0-1-100"),
            HealthFixtures.facts(2, true, List.of(), "0-1-100"),
            replica(3, "0-1-100", from("", 1, RUNNING, RUNNING)));
    assertThat(h.node("db2").role()).isEqualTo("standalone");
    assertThat(h.node("db2").diagnosis()).isEqualTo(Diagnosis.STOPPED);
    assertThat(h.node("db2").verdict()).isEqualTo(Verdict.RECOVERABLE);
  }
}
