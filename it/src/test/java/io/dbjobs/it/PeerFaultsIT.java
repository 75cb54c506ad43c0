package io.dbjobs.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbjobs.testkit.ConfigFiles;
import io.dbjobs.testkit.DbServer;
import io.dbjobs.testkit.FidelityData;
import io.dbjobs.testkit.FreePorts;
import io.dbjobs.testkit.TableChecksums;
import io.dbjobs.testkit.Waits;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10's fault matrix, peer side: what a reseed's joiner does when the other end of its stream
 * fails. One real primary and two replicas; pf1 and pf2 run in-process agents, the donor pf3 runs
 * its agent as a separate JVM so it can be killed with SIGKILL, and the manager carrying a
 * logicalmaster stream runs as a separate JVM for the same reason. "Mid-stream" is made certain,
 * not hoped for: a {@code LOCK TABLES ... WRITE} on the source's Aria table holds the source's
 * backup lock (mariadb-backup's, the parallel dump's {@code BACKUP STAGE BLOCK_COMMIT}), so the
 * stream is open, authenticated and unfinished for as long as the test holds it. Every cell ends
 * with a rerun that succeeds. Rows of docs/fault-matrix.md ("Donor, manager and network faults").
 */
class PeerFaultsIT {
  /** The agents' defaults: how long a dead agent's job stays "running", and its renewal. */
  private static final Duration LEASE_AND_HEARTBEAT = Duration.ofSeconds(31);

  /** Slack on top of lease + heartbeat for a machine shared by several test runs. */
  private static final Duration SLACK = Duration.ofSeconds(30);

  private static final Duration STEP = Duration.ofMinutes(3);

  @TempDir static Path dir;
  private static FleetFixture fleet;
  private static ChildJvm donorAgent;
  private static Path donorConfig;
  private static int donorStarts;

  @BeforeAll
  static void start() {
    fleet = new FleetFixture("pf", 3, dir, true);
    FidelityData.create(fleet.node(1));
    fleet.cluster.awaitReplication(Duration.ofSeconds(60));
    fleet.cli("nodes"); // first contact creates every node's jobs table
    fleet.startAgent(fleet.node(1), "");
    fleet.startAgent(fleet.node(2), "");
    donorConfig = fleet.agentConfigFile(fleet.node(3), "", "pf3-process-agent.yml");
    startDonorAgent();
  }

  private static void startDonorAgent() {
    donorAgent =
        ChildJvm.agent(List.of(), donorConfig, dir.resolve("pf3-agent-" + ++donorStarts + ".log"));
  }

  @AfterAll
  static void stop() {
    if (donorAgent != null) {
      donorAgent.close();
    }
    if (fleet != null) {
      fleet.close();
    }
  }

  private static DbServer donor() {
    return fleet.node(3);
  }

  /** manager.yml with {@code node}'s stream port replaced by {@code port}. */
  private static Path managerYamlWithStreamPort(DbServer node, int port, String file)
      throws Exception {
    String yml = Files.readString(fleet.managerYml);
    String was = "streamPort: " + fleet.streamPort(node) + "\n";
    assertThat(yml).contains(was);
    return ConfigFiles.write(dir.resolve(file), yml.replace(was, "streamPort: " + port + "\n"));
  }

  @Test
  void aSenderThatCannotReachTheJoinerFailsTheReseedAndFreesTheJoinersSlot() throws Exception {
    DbServer joiner = fleet.node(2);
    String mark = PeerFaults.mark(joiner);
    Map<String, String> before = TableChecksums.of(joiner, FidelityData.SCHEMA);
    // the joiner's agent listens where manager.yml says it does not: nothing listens there
    int closed = FreePorts.next();
    Path unreachable = managerYamlWithStreamPort(joiner, closed, "unreachable.yml");

    long donorAfter = PeerFaults.maxId(donor());
    for (List<String> method :
        List.of(List.of("logicalmaster"), List.of("physicaldonor", "--donor", donor().name()))) {
      long after = PeerFaults.maxId(joiner);
      List<String> args = new ArrayList<>(List.of("reseed", "--node", joiner.name(), "--method"));
      args.addAll(method);
      FleetFixture.Run r = fleet.cliWith(unreachable, args.toArray(String[]::new));
      Map<String, String> row =
          PeerFaults.lastRow(
              joiner,
              method.get(0).equals("logicalmaster") ? "reseed-logical" : "reseed-physical",
              after);
      // the manager cancels the joiner's job at once, and the row says why
      assertThat(row.get("state")).as("%s: %s", row, r).isEqualTo("7");
      assertThat(row.get("error_code")).as(r.toString()).isEqualTo("CANCELLED");
      assertThat(row.get("result"))
          .contains("its source failed")
          .contains("cannot connect to 127.0.0.1:" + closed);
      assertThat(r.exit()).as(r.toString()).isEqualTo(1);
      assertThat(r.out()).contains("(CANCELLED)").contains("source: ");
      PeerFaults.assertOldDataServes(joiner, mark, before);
      PeerFaults.assertNoLeftovers(joiner, dir.resolve("work-pf2"));
    }

    Map<String, String> donorJob = PeerFaults.lastRow(donor(), "backup-physical", donorAfter);
    assertThat(donorJob.get("state")).as(donorJob.toString()).isEqualTo("5");
    assertThat(donorJob.get("error_code")).as(donorJob.toString()).isEqualTo("NODE_UNREACHABLE");

    // the slot is free: the next reseed of the joiner is accepted and succeeds
    FleetFixture.Run ok = fleet.cli("reseed", "--node", "pf2", "--method", "logicalmaster");
    assertThat(ok.exit()).as(ok.toString()).isZero();
    PeerFaults.assertNewDataServes(fleet.cluster, fleet.node(1), joiner);
  }

  @Test
  void killingTheDonorsAgentMidStreamFailsTheJoinerWhichKeepsItsOldData() throws Exception {
    DbServer joiner = fleet.node(2);
    DbServer donor = fleet.node(3);
    String mark = PeerFaults.mark(joiner);
    Map<String, String> before = TableChecksums.of(joiner, FidelityData.SCHEMA);
    long after = PeerFaults.maxId(joiner);
    long donorAfter = PeerFaults.maxId(donor);
    List<ProcessHandle> tools;
    FleetFixture.Run r;
    try (Connection c = donor.connect();
        Statement lock = c.createStatement()) {
      // mariadb-backup streams the InnoDB files, then waits for its backup lock behind this
      lock.execute("LOCK TABLES " + FidelityData.SCHEMA + ".legacy_aria WRITE");
      CompletableFuture<FleetFixture.Run> run =
          CompletableFuture.supplyAsync(
              () ->
                  fleet.cli(
                      "reseed", "--node", "pf2", "--method", "physicaldonor", "--donor", "pf3"));
      // the joiner took the donor's stream (running again after waiting for it: "receiving") and
      // extracts into its staging folder
      Map<String, String> receiving =
          PeerFaults.awaitRow(
              joiner,
              "id > " + after + " AND task='reseed-physical' AND state=1 AND phase='receiving'",
              STEP,
              run);
      Path staging =
          joiner
              .dataDir()
              .toAbsolutePath()
              .getParent()
              .resolve(joiner.dataDir().getFileName() + ".dbjobs-new-" + receiving.get("id"));
      Waits.until("the joiner's staging folder " + staging, STEP, () -> Files.isDirectory(staging));
      // and the donor's mariadb-backup runs, held by the lock
      tools =
          Waits.until(
              "the donor's mariadb-backup to run",
              STEP,
              () -> donorAgent.descendants(),
              t -> !t.isEmpty());
      donorAgent.kill();

      r = run.get(LEASE_AND_HEARTBEAT.plus(SLACK).toMillis(), TimeUnit.MILLISECONDS);
      Map<String, String> row = JobRows.row(joiner, Long.parseLong(receiving.get("id")));
      assertThat(row.get("state")).as(row.toString()).isEqualTo("5");
      assertThat(row.get("error_code")).as(row.toString()).isEqualTo("STREAM_CUT");
      assertThat(r.exit()).as(r.toString()).isEqualTo(1);
      assertThat(r.out()).contains("STREAM_CUT");
    }
    // the lock is released: the orphaned mariadb-backup goes on, finds no reader and ends
    Waits.until(
        "the killed donor agent's tools to end: " + PeerFaults.alive(tools),
        STEP,
        () -> PeerFaults.alive(tools).isEmpty());
    PeerFaults.assertOldDataServes(joiner, mark, before);
    PeerFaults.assertNoLeftovers(joiner, dir.resolve("work-pf2"));

    // the restarted donor agent settles its own job (its lease expired: agent lost)
    startDonorAgent();
    Map<String, String> donorJob = PeerFaults.awaitDonorJobEnd(donor, donorAfter, STEP);
    assertThat(donorJob.get("state")).as(donorJob.toString()).isEqualTo("5");
    assertThat(donorJob.get("error_code")).as(donorJob.toString()).isEqualTo("AGENT_LOST");

    FleetFixture.Run ok =
        fleet.cli("reseed", "--node", "pf2", "--method", "physicaldonor", "--donor", "pf3");
    assertThat(ok.exit()).as(ok.toString()).isZero();
    PeerFaults.assertNewDataServes(fleet.cluster, fleet.node(1), joiner);
  }

  @Test
  void killingTheManagerCarryingALogicalmasterStreamPutsTheJoinersOldSchemasBack()
      throws Exception {
    DbServer joiner = fleet.node(2);
    DbServer primary = fleet.node(1);
    String mark = PeerFaults.mark(joiner);
    Map<String, String> before = TableChecksums.of(joiner, FidelityData.SCHEMA);
    long after = PeerFaults.maxId(joiner);
    // the dump waits for its snapshot lock longer than the test holds it
    Path yml =
        ConfigFiles.write(
            dir.resolve("patient-dump.yml"),
            Files.readString(fleet.managerYml) + "logicalDump:\n  lockTimeout: 5m\n");
    Map<String, String> row;
    try (Connection c = primary.connect();
        Statement lock = c.createStatement()) {
      lock.execute("LOCK TABLES " + FidelityData.SCHEMA + ".legacy_aria WRITE");
      try (ChildJvm manager =
          ChildJvm.cli(
              yml,
              dir.resolve("manager-cli.log"),
              "reseed",
              "--node",
              "pf2",
              "--method",
              "logicalmaster")) {
        Map<String, String> receiving =
            Waits.until(
                "the joiner to take the manager's stream",
                STEP,
                () -> {
                  if (!manager.isAlive()) {
                    throw new AssertionError("the manager ended: " + manager.log());
                  }
                  // the stream came and the joiner's old schemas are set aside
                  List<String> ids =
                      joiner.column(
                          "SELECT id FROM "
                              + TableAttacker.JOBS
                              + " WHERE id > "
                              + after
                              + " AND task='reseed-logical' AND state=1");
                  if (ids.isEmpty()
                      || joiner
                          .column(
                              "SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE"
                                  + " SCHEMA_NAME LIKE '\\_dbjobs\\_old\\_"
                                  + ids.get(0)
                                  + "\\_%'")
                          .isEmpty()) {
                    return null;
                  }
                  return JobRows.row(joiner, Long.parseLong(ids.get(0)));
                },
                x -> x != null);
        manager.kill();
        row =
            JobRows.awaitEnd(
                joiner, Long.parseLong(receiving.get("id")), LEASE_AND_HEARTBEAT.plus(SLACK));
      }
    }
    assertThat(row.get("state")).as(row.toString()).isEqualTo("5");
    assertThat(row.get("error_code")).as(row.toString()).isEqualTo("STREAM_CUT");
    PeerFaults.assertOldDataServes(joiner, mark, before);
    PeerFaults.assertNoLeftovers(joiner, dir.resolve("work-pf2"));

    FleetFixture.Run ok = fleet.cli("reseed", "--node", "pf2", "--method", "logicalmaster");
    assertThat(ok.exit()).as(ok.toString()).isZero();
    PeerFaults.assertNewDataServes(fleet.cluster, primary, joiner);
  }
}
