package io.dbjobs.manager.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The meters on /metrics, by their Prometheus names. */
class DaemonMetricsTest {
  private final Clock clock = Clock.fixed(Instant.parse("2025-11-23T03:00:00Z"), ZoneOffset.UTC);
  private final DaemonMetrics m = new DaemonMetrics(clock);

  @Test
  void jobCountsReplaceTheNodesPreviousOnes() {
    m.jobCounts(
        "db2",
        Map.of(
            new DaemonMetrics.TaskState("optimize", "queued"), 2L,
            new DaemonMetrics.TaskState("optimize", "succeeded"), 5L));
    m.jobCounts("db2", Map.of(new DaemonMetrics.TaskState("optimize", "succeeded"), 7L));
    String s = m.scrape();
    assertThat(s)
        .contains("dbjobs_jobs{node=\"db2\",state=\"succeeded\",task=\"optimize\"} 7")
        .contains("dbjobs_jobs{node=\"db2\",state=\"queued\",task=\"optimize\"} 0");
  }

  @Test
  void watchdogAndSchedulerMetersHaveTheirNames() {
    m.nodeUp("db2", true);
    m.agentUp("db2", false);
    m.agentSeen("db2", Instant.parse("2025-11-23T02:59:00Z"));
    m.agentLost("db2", 2);
    m.sweepDone();
    m.scheduleFired("prod", "nightly", "backup-physical");
    m.scheduleSkipped("prod", "nightly", "backup-physical", "destructive-job");
    assertThat(m.scrape())
        .contains("dbjobs_node_up{node=\"db2\"} 1")
        .contains("dbjobs_agent_up{node=\"db2\"} 0")
        .contains("dbjobs_agent_last_seen_timestamp_seconds{node=\"db2\"} 1.76386674E9")
        .contains("dbjobs_watchdog_agent_lost_total{node=\"db2\"} 2")
        .contains("dbjobs_watchdog_sweeps_total 1")
        .contains(
            "dbjobs_schedule_fires_total{cluster=\"prod\",schedule=\"nightly\",task=\"backup-physical\"} 1")
        .contains(
            "dbjobs_schedule_skips_total{cluster=\"prod\",reason=\"destructive-job\",schedule=\"nightly\",task=\"backup-physical\"} 1");
  }

  @Test
  void backupAndStreamRegistrationPointsHaveTheirNames() {
    BackupMetrics b = m.backups();
    b.streamBytes("db2", "in", "backup", 1000);
    b.streamRate("db2", "in", 2.5e6);
    b.newestGoodBackup("db2", "physical", Instant.parse("2025-11-23T02:00:00Z"));
    b.lastBackupResult("db2", "physical", true, Instant.parse("2025-11-23T02:10:00Z"));
    assertThat(m.scrape())
        .contains("dbjobs_stream_bytes_total{direction=\"in\",kind=\"backup\",node=\"db2\"} 1000")
        .contains("dbjobs_stream_rate_bytes_per_second{direction=\"in\",node=\"db2\"} 2500000")
        .contains("dbjobs_backup_newest_good_age_seconds{node=\"db2\",type=\"physical\"} 3600")
        .contains("dbjobs_backup_last_result{node=\"db2\",type=\"physical\"} 1")
        .contains("dbjobs_backup_last_end_timestamp_seconds{node=\"db2\",type=\"physical\"}");
  }
}
