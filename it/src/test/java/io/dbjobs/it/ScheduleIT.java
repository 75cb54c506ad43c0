package io.dbjobs.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.job.JobState;
import io.dbjobs.common.job.Task;
import io.dbjobs.manager.api.ApiFleet;
import io.dbjobs.manager.api.ManagerApi;
import io.dbjobs.manager.daemon.DaemonIntegrations;
import io.dbjobs.manager.daemon.ManagerDaemon;
import io.dbjobs.manager.fleet.JobView;
import io.dbjobs.manager.schedule.ScheduledRun;
import io.dbjobs.testkit.LogCapture;
import io.dbjobs.testkit.Waits;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Schedules of dbjobs serve against a real primary, a replica with an agent and a replica without
 * one that has a destructive job queued: cron fires run on the right node, a restart catches up a
 * missed run and leaves a done one alone, "replica" passes over a busy node, backups go to
 * ScheduledBackups, a node under a destructive job is skipped.
 */
class ScheduleIT {
  private static final String NEVER = "0 0 3 1 1 ? 2099";
  private static final DateTimeFormatter KEY_TIME =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
  @TempDir static Path dir;
  private static FleetFixture fleet;
  private static DaemonSupport ds;
  private static LogCapture logs;
  private static long restartJob;
  private static final List<ScheduledRun> backups = new CopyOnWriteArrayList<>();
  private ManagerDaemon daemon;

  @BeforeAll
  static void start() throws Exception {
    logs = LogCapture.start();
    fleet = new FleetFixture("sch", 3, dir, false);
    fleet.startAgent(fleet.node(1), "");
    fleet.startAgent(fleet.node(2), "");
    // sch3 has no agent: a destructive job queued there stays queued
    FleetFixture.Run r = fleet.cli("submit", "--node", "sch3", "--task", "restart", "--json");
    assertThat(r.exit()).as(r.toString()).isZero();
    restartJob =
        new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.out()).get("id").asLong();
    ds = new DaemonSupport(dir);
  }

  @AfterEach
  void stopDaemon() {
    if (daemon != null) {
      daemon.stop("test over");
      daemon = null;
    }
  }

  @AfterAll
  static void stop() {
    if (fleet != null) {
      fleet.close();
    }
    if (logs != null) {
      logs.close();
    }
  }

  /** manager.yml with these schedules; sch3 is listed before sch2, so it wins ties. */
  private static Path config(String file, String schedules) {
    return fleet.managerYaml(
        file,
        List.of(fleet.node(1), fleet.node(3), fleet.node(2)),
        "schedules:\n" + schedules,
        ds.yaml() + "scheduler:\n  timeZone: UTC\n");
  }

  private ManagerDaemon startDaemon(Path config) {
    daemon =
        DaemonSupport.start(config, DaemonIntegrations.defaults().withBackups(s -> backups::add));
    return daemon;
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

  private static Optional<JobView> byKey(ApiFleet api, String node, String key) {
    try {
      return Optional.of(
          api.job(new io.dbjobs.common.job.JobRef(node, key, io.dbjobs.common.job.Task.OPTIMIZE)));
    } catch (DbJobsException e) {
      return Optional.empty();
    }
  }

  private static JobView awaitSucceeded(ApiFleet api, String node, String key) {
    JobView v =
        Waits.until(
                "job " + key + " on " + node + " to end",
                Duration.ofSeconds(60),
                () -> byKey(api, node, key),
                o -> o.isPresent() && o.get().job().state().isFinal())
            .orElseThrow();
    assertThat(v.job().state()).as(v.job().toString()).isEqualTo(JobState.SUCCEEDED);
    return v;
  }

  @Test
  void aCronScheduleRunsOnItsNodeAndARestartCatchesUpOnlyTheMissedRun() {
    Instant soon = Instant.now().plusSeconds(6).truncatedTo(ChronoUnit.SECONDS);
    String soonYaml =
        "  - {name: soon, task: optimize, cron: '"
            + cronAt(soon)
            + "', node: primary, params: {mode: analyze}}\n";
    startDaemon(config("soon.yml", soonYaml));
    ApiFleet api = ds.client();
    String soonKey = "schedule:sch:soon:" + KEY_TIME.format(soon);
    JobView ran = awaitSucceeded(api, "sch1", soonKey);
    assertThat(ran.job().result()).contains("analyze");
    assertThat(ran.job().submittedBy()).isEqualTo("dbjobs serve (schedule sch/soon)");
    assertThat(byKey(api, "sch2", soonKey)).isEmpty();
    daemon.stop("restart");
    daemon = null;

    // while no daemon ran, a run of a new schedule was due two minutes ago: past the misfire
    // threshold, so it fires once, now, for that time; "soon" already ran and is left alone
    Instant missed = Instant.now().minusSeconds(120).truncatedTo(ChronoUnit.SECONDS);
    startDaemon(
        config(
            "restarted.yml",
            soonYaml
                + "  - {name: missed, task: optimize, cron: '"
                + cronAt(missed)
                + "', node: sch2}\n"));
    awaitSucceeded(api, "sch2", "schedule:sch:missed:" + KEY_TIME.format(missed));
    Waits.until(
        "the done run to be recognised",
        Duration.ofSeconds(30),
        () ->
            !logs.linesContaining("schedule sch/soon: the run for " + soon + " exists already")
                .isEmpty());
    assertThat(
            fleet
                .node(1)
                .value(
                    "SELECT COUNT(*) FROM replication_manager_schema.jobs WHERE idempotency_key"
                        + " LIKE 'schedule:sch:soon:%'"))
        .isEqualTo("1");
    assertThat(daemon.metrics().scrape())
        .contains(
            "dbjobs_schedule_skips_total{cluster=\"sch\",reason=\"already-run\",schedule=\"soon\",task=\"optimize\"} 1");
  }

  @Test
  void replicaMeansAHealthyReplicaThatIsNotUnderADestructiveJob() {
    startDaemon(
        config(
            "replica.yml",
            "  - {name: opt-replica, task: optimize, cron: '"
                + NEVER
                + "', node: replica}\n"
                + "  - {name: backup, task: backup-physical, cron: '"
                + NEVER
                + "', params: {parallel: '2'}}\n"));
    ApiFleet api = ds.client();
    api.client()
        .post(ManagerApi.runSchedulePath("sch", "opt-replica"), null, ManagerApi.ScheduleDoc.class);
    JobView v =
        Waits.until(
                "the run's job on a replica",
                Duration.ofSeconds(60),
                () ->
                    api.jobs(null, null, "optimize", 100).jobs().stream()
                        .filter(
                            j ->
                                j.job()
                                    .idempotencyKey()
                                    .startsWith("schedule:sch:opt-replica:run-"))
                        .findFirst(),
                o -> o.isPresent() && o.get().job().state().isFinal())
            .orElseThrow();
    assertThat(v.node()).isEqualTo("sch2");
    assertThat(v.job().state()).isEqualTo(JobState.SUCCEEDED);
    assertThat(logs.linesContaining("schedule sch/opt-replica: passed over"))
        .anyMatch(
            l ->
                l.contains("sch1: not a replica")
                    && l.contains(
                        "sch3 is under a destructive job: job "
                            + restartJob
                            + " (restart, queued)"));

    api.client()
        .post(ManagerApi.runSchedulePath("sch", "backup"), null, ManagerApi.ScheduleDoc.class);
    ScheduledRun run =
        Waits.until(
                "the backup to be handed over",
                Duration.ofSeconds(30),
                () -> backups.stream().filter(b -> b.schedule().equals("backup")).findFirst(),
                Optional::isPresent)
            .orElseThrow();
    assertThat(run.node()).isEqualTo("sch2");
    assertThat(run.task()).isEqualTo(Task.BACKUP_PHYSICAL);
    assertThat(run.backupType()).isEqualTo("physical");
    assertThat(run.params()).containsEntry("parallel", "2");
    assertThat(run.manual()).isTrue();
    assertThat(run.idempotencyKey()).startsWith("schedule:sch:backup:run-");
    assertThat(run.submittedBy()).isEqualTo("dbjobs serve (schedule sch/backup)");
  }

  @Test
  void aNodeUnderADestructiveJobIsSkippedWithALogLine() {
    startDaemon(
        config(
            "busy.yml", "  - {name: busy, task: optimize, cron: '" + NEVER + "', node: sch3}\n"));
    ApiFleet api = ds.client();
    List<ManagerApi.ScheduleDoc> listed =
        api.client()
            .get(
                ManagerApi.SCHEDULES,
                new com.fasterxml.jackson.core.type.TypeReference<
                    List<ManagerApi.ScheduleDoc>>() {});
    assertThat(listed)
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.name()).isEqualTo("busy");
              assertThat(d.nextFire()).isEqualTo(Instant.parse("2099-01-01T03:00:00Z"));
            });
    api.client()
        .post(ManagerApi.runSchedulePath("sch", "busy"), null, ManagerApi.ScheduleDoc.class);
    Waits.until(
        "the skip to be logged",
        Duration.ofSeconds(30),
        () -> !logs.linesContaining("schedule sch/busy (optimize on sch3) skipped").isEmpty());
    assertThat(logs.linesContaining("schedule sch/busy (optimize on sch3) skipped"))
        .anyMatch(
            l ->
                l.contains(
                    "sch3 is under a destructive job: job " + restartJob + " (restart, queued)"));
    assertThat(daemon.metrics().scrape())
        .contains(
            "dbjobs_schedule_skips_total{cluster=\"sch\",reason=\"destructive-job\",schedule=\"busy\",task=\"optimize\"} 1");
    assertThat(
            fleet
                .node(3)
                .value(
                    "SELECT COUNT(*) FROM replication_manager_schema.jobs WHERE task='optimize'"))
        .isEqualTo("0");
  }
}
