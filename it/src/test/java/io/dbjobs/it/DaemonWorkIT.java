package io.dbjobs.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbjobs.manager.api.ManagerApi;
import io.dbjobs.manager.daemon.DaemonIntegrations;
import io.dbjobs.manager.daemon.ManagerDaemon;
import io.dbjobs.manager.work.BackgroundWork;
import io.dbjobs.testkit.BackgroundWriter;
import io.dbjobs.testkit.DbServer;
import io.dbjobs.testkit.FidelityData;
import io.dbjobs.testkit.MariaDbCluster;
import io.dbjobs.testkit.TableChecksums;
import io.dbjobs.testkit.Waits;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon doing the long work: backups into its catalog (asked through the API, and fired by a
 * schedule), and reseeds through the API, with real agents on a primary and two replicas.
 */
class DaemonWorkIT {
  @TempDir static Path dir;
  private static FleetFixture fleet;
  private static ManagerDaemon daemon;
  private static Path viaApi;
  private static DaemonSupport ds;

  @BeforeAll
  static void start() {
    fleet = new FleetFixture("dw", 3, dir, true);
    FidelityData.create(fleet.node(1));
    fleet.cluster.awaitReplication(Duration.ofSeconds(60));
    fleet.startAgents();
    ds = new DaemonSupport(dir);
    viaApi =
        fleet.managerYaml(
            "api.yml",
            fleet.cluster.nodes(),
            "schedules:\n  - {name: nightly, task: backup-physical, cron: \"0 0 2 * * ?\", node: replica}\n",
            ds.yaml());
    daemon = DaemonSupport.start(viaApi, BackgroundWork.into(DaemonIntegrations.defaults()));
  }

  @AfterAll
  static void stop() {
    if (daemon != null) {
      daemon.stop("test over");
    }
    if (fleet != null) {
      fleet.close();
    }
  }

  private static FleetFixture.Run cli(String... args) {
    String[] all = new String[args.length + 2];
    all[0] = "--config";
    all[1] = viaApi.toString();
    System.arraycopy(args, 0, all, 2, args.length);
    java.io.StringWriter out = new java.io.StringWriter();
    java.io.StringWriter err = new java.io.StringWriter();
    int exit =
        io.dbjobs.manager.cli.DbJobsCli.run(
            new java.io.PrintWriter(out, true), new java.io.PrintWriter(err, true), all);
    return new FleetFixture.Run(exit, out.toString(), err.toString());
  }

  private static long manifests() throws Exception {
    Path catalog = dir.resolve("catalog");
    if (!Files.exists(catalog)) {
      return 0;
    }
    try (Stream<Path> s = Files.walk(catalog)) {
      return s.filter(p -> p.getFileName().toString().equals("manifest.json")).count();
    }
  }

  @Test
  void backupsGoThroughTheDaemonIntoItsCatalog() throws Exception {
    FleetFixture.Run p = cli("backup", "--node", "dw3", "--type", "physical", "--wait");
    assertThat(p.exit()).as(p.toString()).isZero();
    assertThat(p.out())
        .contains("run by the daemon at")
        .contains("succeeded")
        .contains("stored as backup ");
    FleetFixture.Run l = cli("backup", "--node", "dw2", "--type", "logical", "--json");
    assertThat(l.exit()).as(l.toString()).isZero();
    assertThat(l.out()).contains("\"type\" : \"logical\"").contains("\"gtid\"");
    FleetFixture.Run list = cli("backups");
    assertThat(list.out()).contains("-dw3-physical").contains("-dw2-logical");
  }

  @Test
  void noWaitReturnsOnceTheDaemonStartedTheBackupWhichThenLandsInTheCatalog() throws Exception {
    long before = manifests();
    FleetFixture.Run r = cli("backup", "--node", "dw3", "--type", "logical", "--no-wait");
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out()).contains("follow it with: dbjobs jobs --node dw3 ");
    Waits.until(
        "the --no-wait backup stored", Duration.ofSeconds(120), () -> manifestsQuietly() > before);
  }

  @Test
  void noWaitIsRefusedWithoutTheDaemonBecauseTheCommandCarriesTheStream() {
    FleetFixture.Run r =
        cli("--direct", "backup", "--node", "dw3", "--type", "physical", "--no-wait");
    assertThat(r.exit()).as(r.toString()).isEqualTo(2);
    assertThat(r.err()).contains("--no-wait needs a running daemon").contains("dbjobs backup");
    FleetFixture.Run s =
        cli("--direct", "reseed", "--node", "dw2", "--method", "logicalmaster", "--no-wait");
    assertThat(s.exit()).as(s.toString()).isEqualTo(2);
    assertThat(s.err()).contains("dbjobs reseed carries the stream itself");
  }

  private static long manifestsQuietly() {
    try {
      return manifests();
    } catch (Exception e) {
      throw new IllegalStateException("cannot walk the catalog", e);
    }
  }

  @Test
  void aScheduleFiresAndItsBackupLandsInTheCatalog() throws Exception {
    long before = manifests();
    java.util.Map<?, ?> fired =
        ds.client()
            .client()
            .post(
                ManagerApi.runSchedulePath("dw", "nightly"),
                java.util.Map.of(),
                java.util.Map.class);
    assertThat(fired).isNotNull();
    Waits.until(
        "the scheduled backup's manifest",
        Duration.ofMinutes(3),
        () -> {
          try {
            return manifests() > before;
          } catch (Exception e) {
            return false;
          }
        });
  }

  @Test
  void reseedsGoThroughTheDaemonWhileThePrimaryIsWritten() throws Exception {
    assertThat(cli("backup", "--node", "dw3", "--type", "physical").exit()).isZero();
    DbServer replica = fleet.node(2);
    replica.execute("STOP SLAVE", "SET SESSION sql_log_bin=0", "DELETE FROM fidelity.customers");
    try (BackgroundWriter writer = BackgroundWriter.start(fleet.node(1), "app")) {
      FleetFixture.Run r = cli("reseed", "--node", "dw2", "--method", "physicalbackup");
      assertThat(r.exit()).as(r.toString()).isZero();
      assertThat(r.out()).contains("run by the daemon").contains("succeeded");
      FleetFixture.Run d = cli("--direct", "reseed", "--node", "dw2", "--method", "physicaldonor");
      assertThat(d.exit()).as(d.toString()).isZero();
      assertThat(d.out()).contains("from donor dw3").contains("succeeded");
      assertThat(writer.rows()).isPositive();
      writer.stop();
    }
    fleet.cluster.awaitReplication(Duration.ofSeconds(120));
    assertThat(TableChecksums.of(replica)).isEqualTo(TableChecksums.of(fleet.node(1)));
    FidelityData.assertObjectsPresent(replica);
    assertThat(MariaDbCluster.replicationStatus(replica)).contains("io=Yes sql=Yes");
  }
}
