package io.dbjobs.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbjobs.manager.api.ApiClient;
import io.dbjobs.manager.cli.DbJobsCli;
import io.dbjobs.manager.daemon.DaemonIntegrations;
import io.dbjobs.manager.daemon.ManagerDaemon;
import io.dbjobs.manager.work.BackgroundWork;
import io.dbjobs.testkit.DbServer;
import io.dbjobs.testkit.MariaDbCluster;
import io.dbjobs.testkit.TableChecksums;
import io.dbjobs.testkit.Waits;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon's policies on a real primary + 2 replicas with real agents and only the grants of
 * sql/grants.sql (no reseed admin): the automatic policy recovers a stopped replica; maintenance
 * blocks a schedule fire (counted) and the automatic policy while operator commands still work; a
 * shunned node stays out of donor choice, schedules and the automatic policy, across a daemon
 * restart, until it is welcomed. The CLI goes through the daemon's API.
 */
class PolicyIT {
  @TempDir static Path dir;
  private static FleetFixture fleet;
  private static DaemonSupport ds;
  private static int rows;
  private final List<ManagerDaemon> daemons = new ArrayList<>();
  private Path config;

  @BeforeAll
  static void start() {
    fleet = new FleetFixture("pol", 3, dir, false);
    fleet
        .node(1)
        .execute(
            "CREATE DATABASE app",
            "CREATE TABLE app.t (id INT AUTO_INCREMENT PRIMARY KEY, v VARCHAR(64) NOT NULL)"
                + " ENGINE=InnoDB");
    write(20);
    fleet.cluster.awaitReplication(Duration.ofSeconds(60));
    fleet.startAgents();
    ds = new DaemonSupport(dir);
  }

  @AfterAll
  static void stop() {
    if (fleet != null) {
      fleet.close();
    }
  }

  /** No daemon, nothing shunned, manager.yml's policy, pol2 and pol3 replicating from pol1. */
  @AfterEach
  void reset() {
    daemons.forEach(d -> d.stop("test over"));
    daemons.clear();
    for (String n : List.of("pol1", "pol2", "pol3")) {
      fleet.cli("welcome", "--node", n);
    }
    fleet.cli("policy", "--cluster", "pol", "--clear");
    for (DbServer r : fleet.cluster.replicas()) {
      fleet.cluster.replicate(r, fleet.node(1));
    }
    fleet.cluster.awaitReplication(Duration.ofSeconds(60));
  }

  private static void write(int n) {
    String[] sql = new String[n];
    for (int i = 0; i < n; i++) {
      sql[i] = "INSERT INTO app.t (v) VALUES ('row " + (++rows) + "')";
    }
    fleet.node(1).execute(sql);
  }

  /** A manager.yml going through the daemon, with a quick watchdog and back-off. */
  private Path config(String file, String clusterKeys) {
    config =
        fleet.managerYaml(
            file,
            fleet.cluster.nodes(),
            clusterKeys,
            "api:\n  url: "
                + ds.url()
                + "\n  port: "
                + ds.port
                + "\n  token: {file: "
                + ds.tokenFile
                + "}\n"
                + "watchdog:\n  interval: 500ms\n  recoverBackoff: 2s\n  recoverBackoffMax: 10s\n"
                + "scheduler:\n  timeZone: UTC\n");
    return config;
  }

  private ManagerDaemon startDaemon() {
    ManagerDaemon d =
        DaemonSupport.start(config, BackgroundWork.into(DaemonIntegrations.defaults()));
    daemons.add(d);
    return d;
  }

  /** {@code dbjobs --config <this test's manager.yml> ARGS}, through the daemon. */
  private FleetFixture.Run cli(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    List<String> all = new ArrayList<>(List.of("--config", config.toString()));
    all.addAll(List.of(args));
    int exit =
        DbJobsCli.run(
            new PrintWriter(out, true), new PrintWriter(err, true), all.toArray(String[]::new));
    return new FleetFixture.Run(exit, out.toString(), err.toString());
  }

  private static String metrics() {
    return new ApiClient(
            ds.url(),
            new io.dbjobs.common.config.Secret(DaemonSupport.API_TOKEN, "test"),
            Duration.ofSeconds(30))
        .text("/metrics");
  }

  /** The value of one exact series on /metrics, 0 when absent. */
  private static double metric(String series) {
    for (String line : metrics().split("\n")) {
      if (line.startsWith(series + " ")) {
        return Double.parseDouble(line.substring(series.length() + 1).trim());
      }
    }
    return 0;
  }

  /** "state|submitted_by|result" of the node's newest job of this task, or null. */
  private static String newestJob(DbServer node, String task) {
    return node.value(
        "SELECT CONCAT_WS('|', state, submitted_by, result) FROM replication_manager_schema.jobs"
            + " WHERE task='"
            + task
            + "' ORDER BY id DESC LIMIT 1");
  }

  private static long jobs(DbServer node, String where) {
    return Long.parseLong(
        node.value("SELECT COUNT(*) FROM replication_manager_schema.jobs WHERE " + where));
  }

  private static void assertCaughtUpAndEqual(DbServer replica) {
    MariaDbCluster.awaitApplied(
        replica, fleet.node(1).value("SELECT @@gtid_binlog_pos"), Duration.ofSeconds(60));
    assertThat(MariaDbCluster.replicationStatus(replica)).contains("io=Yes sql=Yes");
    assertThat(TableChecksums.of(replica, "app"))
        .isEqualTo(TableChecksums.of(fleet.node(1), "app"));
  }

  /** Quartz cron for exactly this second, UTC. */
  private static String cronAt(Instant t) {
    ZonedDateTime z = t.atZone(ZoneOffset.UTC);
    return z.getSecond()
        + " "
        + z.getMinute()
        + " "
        + z.getHour()
        + " "
        + z.getDayOfMonth()
        + " "
        + z.getMonthValue()
        + " ? "
        + z.getYear();
  }

  @Test
  void theAutomaticPolicyRecoversAStoppedReplicaThroughAJobThatSaysWhy() {
    config("auto.yml", "policy: automatic\nschedules: []\n");
    startDaemon();
    DbServer replica = fleet.node(3);
    long before = jobs(replica, "task='recover'");
    replica.execute("STOP SLAVE");
    write(10);
    String job =
        Waits.until(
            "the automatic policy's recover job on pol3 to succeed",
            Duration.ofSeconds(90),
            () -> jobs(replica, "task='recover'") > before ? newestJob(replica, "recover") : null,
            j -> j != null && j.startsWith("4|"));
    assertThat(job)
        .contains("dbjobs serve (automatic policy: pol3 stopped")
        .contains("pol3 recovered from stopped");
    assertCaughtUpAndEqual(replica);
    assertThat(replica.value("SELECT @@read_only")).isEqualTo("1");
    assertThat(
            metric("dbjobs_policy_actions_total{action=\"recover\",cluster=\"pol\",node=\"pol3\"}"))
        .isEqualTo(1.0);
    Waits.until(
        "the policy to see its job end",
        Duration.ofSeconds(30),
        () ->
            metric(
                    "dbjobs_policy_action_results_total{action=\"recover\",cluster=\"pol\",node=\"pol3\",result=\"succeeded\"}")
                == 1.0);
  }

  @Test
  void maintenanceBlocksAScheduleFireAndTheAutomaticPolicyButNotAnOperator() {
    Instant at = Instant.now().plusSeconds(12).truncatedTo(ChronoUnit.SECONDS);
    config(
        "maintenance.yml",
        "policy: automatic\nschedules:\n  - {name: soon, task: optimize, cron: '"
            + cronAt(at)
            + "', node: primary, params: {mode: analyze}}\n");
    startDaemon();
    FleetFixture.Run p = cli("policy", "--cluster", "pol", "maintenance", "--reason", "upgrade");
    assertThat(p.exit()).as(p.toString()).isZero();
    assertThat(p.out()).contains("cluster pol is now maintenance").contains("upgrade");
    DbServer replica = fleet.node(3);
    replica.execute("STOP SLAVE");
    write(5);

    Waits.until(
        "the schedule's fire skipped for maintenance",
        Duration.ofSeconds(60),
        () ->
            metric(
                    "dbjobs_schedule_skips_total{cluster=\"pol\",reason=\"maintenance\",schedule=\"soon\",task=\"optimize\"}")
                == 1.0);
    Waits.until(
        "the automatic policy held back by maintenance",
        Duration.ofSeconds(30),
        () -> metric("dbjobs_policy_skips_total{cluster=\"pol\",reason=\"maintenance\"}") >= 2);
    assertThat(jobs(fleet.node(1), "idempotency_key LIKE 'schedule:pol:soon:%'")).isZero();
    assertThat(jobs(replica, "task='recover'")).isZero();
    assertThat(MariaDbCluster.replicationStatus(replica)).contains("io=No sql=No");

    FleetFixture.Run r = cli("recover", "--node", "pol3");
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out()).contains("run by the daemon").contains("succeeded");
    assertCaughtUpAndEqual(replica);
    assertThat(newestJob(replica, "recover")).contains("(dbjobs cli)");
  }

  @Test
  void aShunnedNodeStaysOutOfDonorChoiceSchedulesAndThePolicyAcrossARestartUntilWelcomed() {
    config("shun.yml", "policy: automatic\nschedules: []\n");
    startDaemon();
    FleetFixture.Run s = cli("shun", "--node", "pol2", "--reason", "disk replacement");
    assertThat(s.exit()).as(s.toString()).isZero();
    assertThat(s.out()).contains("pol2 is shunned (disk replacement)");
    daemons.remove(0).stop("restart");

    Instant at = Instant.now().plusSeconds(15).truncatedTo(ChronoUnit.SECONDS);
    String cron = cronAt(at);
    config(
        "shun2.yml",
        "policy: automatic\nschedules:\n"
            + "  - {name: named, task: optimize, cron: '"
            + cron
            + "', node: pol2, params: {mode: analyze}}\n"
            + "  - {name: anyreplica, task: optimize, cron: '"
            + cron
            + "', node: replica, params: {mode: analyze}}\n");
    startDaemon();
    FleetFixture.Run list = cli("shun", "--json");
    assertThat(list.exit()).as(list.toString()).isZero();
    assertThat(list.out()).contains("\"node\" : \"pol2\"").contains("disk replacement");
    assertThat(fleet.cli("--direct", "shun").out()).contains("pol2").contains("disk replacement");
    assertThat(cli("nodes").out()).containsPattern(Pattern.compile("pol2 .*ok \\(shunned\\)"));

    long pol3Jobs = jobs(fleet.node(3), "1=1");
    FleetFixture.Run reseed = cli("reseed", "--node", "pol3", "--method", "physicaldonor");
    assertThat(reseed.exit()).as(reseed.toString()).isEqualTo(7);
    assertThat(reseed.err())
        .contains("no healthy replica besides pol3")
        .contains("not shunned: [pol2]");
    assertThat(jobs(fleet.node(3), "1=1")).isEqualTo(pol3Jobs);

    Waits.until(
        "the schedule on the shunned node skipped",
        Duration.ofSeconds(60),
        () ->
            metric(
                    "dbjobs_schedule_skips_total{cluster=\"pol\",reason=\"shunned\",schedule=\"named\",task=\"optimize\"}")
                == 1.0);
    Waits.until(
        "the replica schedule's job on pol3",
        Duration.ofSeconds(30),
        () -> jobs(fleet.node(3), "idempotency_key LIKE 'schedule:pol:anyreplica:%'") == 1);
    assertThat(jobs(fleet.node(2), "idempotency_key LIKE 'schedule:pol:%'")).isZero();

    DbServer shunned = fleet.node(2);
    shunned.execute("STOP SLAVE");
    Waits.until(
        "the automatic policy leaving the shunned node alone",
        Duration.ofSeconds(30),
        () -> metric("dbjobs_policy_skips_total{cluster=\"pol\",reason=\"shunned\"}") >= 2);
    assertThat(jobs(shunned, "task='recover'")).isZero();

    FleetFixture.Run w = cli("welcome", "--node", "pol2");
    assertThat(w.exit()).as(w.toString()).isZero();
    assertThat(w.out())
        .contains("pol2 is back in service")
        .contains("its replication is stopped")
        .contains("dbjobs recover --node pol2");
    String job =
        Waits.until(
            "the automatic policy's recover job on pol2 after the welcome",
            Duration.ofSeconds(90),
            () -> newestJob(shunned, "recover"),
            j -> j != null && j.startsWith("4|"));
    assertThat(job).contains("automatic policy: pol2 stopped");
    assertCaughtUpAndEqual(shunned);
  }
}
