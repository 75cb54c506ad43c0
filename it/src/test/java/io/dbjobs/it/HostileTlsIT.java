package io.dbjobs.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.auth.KeyRing;
import io.dbjobs.common.auth.SecretBox;
import io.dbjobs.common.stream.PeerIdentity;
import io.dbjobs.common.stream.ProgressListener;
import io.dbjobs.common.stream.SourceCompletion;
import io.dbjobs.common.stream.StreamOptions;
import io.dbjobs.common.stream.StreamSender;
import io.dbjobs.common.stream.StreamTarget;
import io.dbjobs.common.stream.StreamTls;
import io.dbjobs.testkit.DbServer;
import io.dbjobs.testkit.MariaDbCluster;
import io.dbjobs.testkit.ServerOptions;
import io.dbjobs.testkit.TableChecksums;
import io.dbjobs.testkit.TestKeys;
import io.dbjobs.testkit.TestPki;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stream TLS with identity on a real installation: every agent and the manager's receiver use
 * mutual TLS with certificates from one CA, each naming its node. While a {@code physicaldonor}
 * reseed's joiner waits, senders holding certificates of other nodes from that same CA, and even
 * the stream's secret (the worst case: it leaked), are refused by the joiner; the real donor's
 * stream is taken and the reseed succeeds.
 */
class HostileTlsIT {
  private static final Duration WAIT = Duration.ofMinutes(2);

  @TempDir static Path dir;
  private static FleetFixture fleet;
  private static TestPki pki;

  @BeforeAll
  static void start() {
    pki = TestPki.generate(dir.resolve("pki"));
    String receiver =
        FleetFixture.RECEIVER
            + "  tls:\n    cert: "
            + pki.cert("receiver")
            + "\n    key: "
            + pki.key("receiver")
            + "\n    ca: "
            + pki.ca()
            + "\n";
    fleet = new FleetFixture("ht", 2, dir, true, ServerOptions.defaults(), receiver);
    fleet
        .node(1)
        .execute(
            "CREATE DATABASE shop",
            "CREATE TABLE shop.t (id INT PRIMARY KEY, v VARCHAR(50))",
            "INSERT INTO shop.t VALUES (1, 'a'), (2, 'b')");
    fleet.cluster.awaitReplication(WAIT);
    fleet.agentStreamYaml(
        s -> {
          TestPki.Leaf leaf = pki.node(s.name());
          return "  tls:\n    cert: "
              + leaf.cert()
              + "\n    key: "
              + leaf.key()
              + "\n    ca: "
              + pki.ca()
              + "\n";
        });
    FleetFixture.Run nodes = fleet.cli("nodes");
    assertThat(nodes.exit()).as(nodes.toString()).isZero();
    fleet.startAgent(fleet.node(2), ""); // the joiner's; the donor's comes when the test says
  }

  @AfterAll
  static void stop() {
    if (fleet != null) {
      fleet.close();
    }
  }

  @Test
  void theJoinerRefusesSendersWithAnotherNodesCertificateAndTakesItsDonorsStream()
      throws Exception {
    DbServer donor = fleet.node(1);
    DbServer joiner = fleet.node(2);
    joiner.execute("STOP SLAVE", "SET SESSION sql_log_bin=0", "DELETE FROM shop.t");
    HeldReseed reseed = HeldReseed.start(fleet, joiner, donor, WAIT);
    assertThat(reseed.joinerRow.get("peer_name")).isEqualTo("ht1," + donor.host());
    String secret = leakedSecret(joiner, reseed.joinerRow);

    // a third node's certificate, and the joiner's own: both from the fleet's CA
    for (String other : new String[] {"ht3", "ht2"}) {
      TestPki.Leaf leaf = pki.node(other);
      try (StreamSender impostor = new StreamSender()) {
        assertThatThrownBy(
                () ->
                    impostor.send(
                        new StreamTarget(
                            joiner.host(),
                            fleet.streamPort(joiner),
                            reseed.streamId,
                            secret,
                            PeerIdentity.of("ht2")),
                        new ByteArrayInputStream(
                            "not a backup".getBytes(StandardCharsets.US_ASCII)),
                        SourceCompletion.of(Map.of()),
                        StreamOptions.defaults()
                            .withTls(new StreamTls(leaf.cert(), leaf.key(), pki.ca())),
                        ProgressListener.NONE))
            .isInstanceOf(DbJobsException.class)
            .satisfies(
                e ->
                    assertThat(((DbJobsException) e).code())
                        .isEqualTo(ErrorCode.STREAM_AUTH_FAILED))
            .hasMessageContaining("is expected from ht1")
            .hasMessageContaining("certificate names DNS:" + other);
      }
    }
    assertThat(JobRows.row(joiner, Long.parseLong(reseed.joinerRow.get("id"))).get("state"))
        .as("the joiner still waits for its stream")
        .isEqualTo("2");

    reseed.releaseDonor();
    FleetFixture.Run r = reseed.await(Duration.ofMinutes(3));
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out()).contains("from donor ht1").contains("succeeded");
    fleet.cluster.awaitReplication(WAIT);
    assertThat(TableChecksums.of(joiner)).isEqualTo(TableChecksums.of(donor)).isNotEmpty();
    assertThat(MariaDbCluster.replicationStatus(joiner)).contains("io=Yes sql=Yes");
  }

  /** The stream secret, opened with the joiner's own key file: what a leak would give. */
  private static String leakedSecret(DbServer joiner, Map<String, String> row) {
    KeyRing ring = KeyRing.load(TestKeys.agentFile(joiner.name()), joiner.name());
    String keyId = row.get("seal").split(":")[1];
    return SecretBox.unwrap(
        ring.byId(keyId).orElseThrow(),
        joiner.name(),
        row.get("idempotency_key"),
        row.get("secret_box"));
  }
}
