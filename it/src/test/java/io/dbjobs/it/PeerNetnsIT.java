package io.dbjobs.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbjobs.testkit.DbServer;
import io.dbjobs.testkit.DbUsers;
import io.dbjobs.testkit.FidelityData;
import io.dbjobs.testkit.TableChecksums;
import io.dbjobs.testkit.Waits;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10's network cell: the link between a physicaldonor's donor and its joiner goes down
 * mid-stream. The donor's agent runs as a separate JVM inside a network namespace ({@link Netns}):
 * it reaches its own server by its Unix socket, and the joiner's stream listener only through a
 * veth pair, slowed down with tc so the stream is certainly in flight when the test takes the link
 * down. Real agent, real mariadb-backup, real bytes over the veth. Needs root and iproute2; skipped
 * with a message otherwise.
 */
class PeerNetnsIT {
  /** The joiner's stream idle timeout: how long it tolerates a silent link. */
  private static final Duration IDLE = Duration.ofSeconds(10);

  private static final Duration STEP = Duration.ofMinutes(3);

  /** The agents' defaults: how long a dead agent's job stays "running", and its renewal. */
  private static final Duration LEASE_AND_HEARTBEAT = Duration.ofSeconds(31);

  /** Slack on top of lease + heartbeat for a machine shared by several test runs. */
  private static final Duration SLACK = Duration.ofSeconds(30);

  @TempDir static Path dir;
  private static Netns netns;
  private static FleetFixture fleet;
  private static ChildJvm donorAgent;
  private static Path donorConfig;
  private static int donorStarts;

  @BeforeAll
  static void start() throws Exception {
    Optional<String> why = Netns.unavailable();
    Assumptions.assumeTrue(why.isEmpty(), () -> "network namespace test skipped: " + why.get());
    fleet = new FleetFixture("pn", 2, dir, true);
    Assumptions.assumeTrue(
        fleet.node(1).isLocal(), "the donor's agent needs its server's Unix socket");
    netns = Netns.create();
    FidelityData.create(fleet.node(1));
    fleet.cluster.awaitReplication(Duration.ofSeconds(60));
    fleet.cli("nodes"); // first contact creates every node's jobs table
    // the joiner notices a silent link first: its idle timeout is shorter than the donor's (60 s)
    fleet.agentStreamYaml(s -> "  idleTimeout: " + IDLE.toSeconds() + "s\n");
    fleet.startAgent(fleet.node(2), "");
    fleet.agentStreamYaml(s -> "");
    DbServer donor = fleet.node(1);
    socketAgentUser(donor);
    String yml =
        Files.readString(fleet.agentConfigFile(donor, "", "pn1-netns-agent.yml"))
            .replace(
                "  host: " + donor.host() + "\n  port: " + donor.port() + "\n",
                "  socket: " + donor.socket() + "\n")
            .replace("http:\n  port: 0\n", "http:\n  bind: " + netns.nsAddress + "\n  port: 0\n");
    assertThat(yml).contains("  socket: ").contains("  bind: " + netns.nsAddress);
    donorConfig = io.dbjobs.testkit.ConfigFiles.write(dir.resolve("pn1-netns-agent.yml"), yml);
    startDonorAgent();
  }

  private static void startDonorAgent() {
    donorAgent =
        ChildJvm.agent(
            netns.prefix(), donorConfig, dir.resolve("pn1-agent-" + ++donorStarts + ".log"));
  }

  /**
   * The agent's user for a connection by Unix socket, which the server sees from {@code localhost}:
   * the fixture makes it for 127.0.0.1 only. Same password, same grants.
   */
  private static void socketAgentUser(DbServer server) {
    String from = "'" + DbUsers.AGENT + "'@'127.0.0.1'";
    List<String> sql = new java.util.ArrayList<>(List.of("SET SESSION sql_log_bin=0"));
    sql.add(
        "CREATE OR REPLACE USER '"
            + DbUsers.AGENT
            + "'@'localhost' IDENTIFIED BY '"
            + FleetFixture.AGENT_PASSWORD
            + "'");
    for (String grant : server.column("SHOW GRANTS FOR " + from)) {
      if (!grant.startsWith("GRANT USAGE ON *.*")) {
        sql.add(grant.replace("@`127.0.0.1`", "@`localhost`"));
      }
    }
    server.execute(sql.toArray(String[]::new));
  }

  @AfterAll
  static void stop() {
    try {
      if (donorAgent != null) {
        donorAgent.close();
      }
      if (netns != null) {
        netns.close();
      }
    } finally {
      if (fleet != null) {
        fleet.close();
      }
    }
  }

  @Test
  void aLinkCutMidStreamFailsTheJoinerWithinItsIdleTimeoutAndItKeepsItsOldData() throws Exception {
    DbServer donor = fleet.node(1);
    DbServer joiner = fleet.node(2);
    String mark = PeerFaults.mark(joiner);
    Map<String, String> before = TableChecksums.of(joiner, FidelityData.SCHEMA);
    long after = PeerFaults.maxId(joiner);
    long donorAfter = PeerFaults.maxId(donor);
    // 8 Mbit/s: the backup's tens of MiB take many seconds to cross
    netns.throttle("8mbit");
    CompletableFuture<FleetFixture.Run> run =
        CompletableFuture.supplyAsync(
            () ->
                fleet.cli(
                    "reseed", "--node", "pn2", "--method", "physicaldonor", "--donor", "pn1"));
    Map<String, String> receiving;
    try {
      receiving =
          PeerFaults.awaitRow(
              joiner,
              "id > " + after + " AND task='reseed-physical' AND state=1 AND bytes_done > 0",
              STEP,
              run);
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + "\n--- the donor's agent:\n" + donorAgent.log(), e);
    }
    List<ProcessHandle> tools = donorAgent.descendants();
    netns.linkDown();
    FleetFixture.Run r;
    try {
      // the joiner notices within its idle timeout, the CLI follows the joiner's row, and the
      // manager then cancels the donor's job
      r =
          run.get(
              IDLE.multipliedBy(3).plus(Duration.ofSeconds(60)).toMillis(), TimeUnit.MILLISECONDS);
    } finally {
      netns.linkUp();
      netns.unthrottle();
    }
    Map<String, String> row = JobRows.row(joiner, Long.parseLong(receiving.get("id")));
    assertThat(row.get("state")).as(row.toString()).isEqualTo("5");
    assertThat(row.get("error_code")).as(row.toString()).isEqualTo("STREAM_TIMEOUT");
    assertThat(row.get("result")).contains("idle timeout " + IDLE.toSeconds() + ".0s");
    assertThat(r.exit()).as(r.toString()).isEqualTo(6);
    assertThat(r.out()).contains("STREAM_TIMEOUT");

    Map<String, String> donorJob = PeerFaults.awaitDonorJobEnd(donor, donorAfter, STEP);
    // it ends with a code that says why, whichever reaches the donor's agent first: the manager's
    // cancel once the joiner's job ended, the joiner's refusal of the stream, or the joiner's
    // reset of the connection (once the link is back up for the rerun)
    assertThat(donorJob)
        .as(donorJob.toString())
        .satisfiesAnyOf(
            job -> {
              assertThat(job.get("state")).isEqualTo("7");
              assertThat(job.get("error_code")).isEqualTo("CANCELLED");
              assertThat(job.get("result")).contains("the reseed it fed ended");
            },
            job -> {
              assertThat(job.get("state")).isEqualTo("5");
              assertThat(job.get("error_code")).isEqualTo("STREAM_TIMEOUT");
              assertThat(job.get("result"))
                  .contains("refused stream")
                  .contains("idle timeout " + IDLE.toSeconds() + ".0s");
            },
            job -> {
              assertThat(job.get("state")).isEqualTo("5");
              assertThat(job.get("error_code")).isEqualTo("STREAM_CUT");
              assertThat(job.get("result")).contains("cut after");
            });
    Waits.until(
        "the donor's tools to end: " + PeerFaults.alive(tools),
        STEP,
        () -> PeerFaults.alive(tools).isEmpty());
    assertThat(donorAgent.isAlive()).as(donorAgent.log()).isTrue();
    PeerFaults.assertOldDataServes(joiner, mark, before);
    PeerFaults.assertNoLeftovers(joiner, dir.resolve("work-pn2"));

    FleetFixture.Run ok =
        fleet.cli("reseed", "--node", "pn2", "--method", "physicaldonor", "--donor", "pn1");
    assertThat(ok.exit()).as(ok.toString()).isZero();
    PeerFaults.assertNewDataServes(fleet.cluster, donor, joiner);
  }

  @Test
  void killingTheDonorsAgentWhileBytesCrossFailsTheJoinerWhichKeepsItsOldData() throws Exception {
    DbServer donor = fleet.node(1);
    DbServer joiner = fleet.node(2);
    String mark = PeerFaults.mark(joiner);
    Map<String, String> before = TableChecksums.of(joiner, FidelityData.SCHEMA);
    long after = PeerFaults.maxId(joiner);
    long donorAfter = PeerFaults.maxId(donor);
    netns.throttle("8mbit");
    FleetFixture.Run r;
    Map<String, String> receiving;
    List<ProcessHandle> tools;
    try {
      CompletableFuture<FleetFixture.Run> run =
          CompletableFuture.supplyAsync(
              () ->
                  fleet.cli(
                      "reseed", "--node", "pn2", "--method", "physicaldonor", "--donor", "pn1"));
      receiving =
          PeerFaults.awaitRow(
              joiner,
              "id > " + after + " AND task='reseed-physical' AND state=1 AND bytes_done > 0",
              STEP,
              run);
      tools = donorAgent.descendants();
      assertThat(tools).as("the donor's tools while bytes cross").isNotEmpty();
      donorAgent.kill();
      r = run.get(LEASE_AND_HEARTBEAT.plus(SLACK).toMillis(), TimeUnit.MILLISECONDS);
    } finally {
      netns.unthrottle();
    }
    Map<String, String> row = JobRows.row(joiner, Long.parseLong(receiving.get("id")));
    assertThat(row.get("state")).as(row.toString()).isEqualTo("5");
    assertThat(row.get("error_code")).as(row.toString()).isEqualTo("STREAM_CUT");
    assertThat(Long.parseLong(row.get("bytes_done"))).isPositive();
    assertThat(r.exit()).as(r.toString()).isEqualTo(1);
    assertThat(r.out()).contains("STREAM_CUT");
    Waits.until(
        "the killed donor agent's tools to end: " + PeerFaults.alive(tools),
        STEP,
        () -> PeerFaults.alive(tools).isEmpty());
    PeerFaults.assertOldDataServes(joiner, mark, before);
    PeerFaults.assertNoLeftovers(joiner, dir.resolve("work-pn2"));

    startDonorAgent();
    Map<String, String> donorJob = PeerFaults.awaitDonorJobEnd(donor, donorAfter, STEP);
    assertThat(donorJob.get("state")).as(donorJob.toString()).isEqualTo("5");
    assertThat(donorJob.get("error_code")).as(donorJob.toString()).isEqualTo("AGENT_LOST");

    FleetFixture.Run ok =
        fleet.cli("reseed", "--node", "pn2", "--method", "physicaldonor", "--donor", "pn1");
    assertThat(ok.exit()).as(ok.toString()).isZero();
    PeerFaults.assertNewDataServes(fleet.cluster, donor, joiner);
  }
}
