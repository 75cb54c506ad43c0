package io.dbjobs.manager.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbjobs.common.job.Task;
import io.dbjobs.manager.config.ScheduleConfig;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which cron time a fire is for, and the run's idempotency key. */
class ScheduleKeysTest {
  private static ScheduleConfig schedule(String cron, String zone) {
    return new ScheduleConfig(
        "prod", "nightly", Task.BACKUP_PHYSICAL, cron, "replica", Map.of(), ZoneId.of(zone));
  }

  @Test
  void anOnTimeFireIsForItsOwnTime() {
    Instant t = Instant.parse("2025-11-23T02:00:00Z");
    assertThat(ScheduleRunner.slot(schedule("0 0 2 * * ?", "UTC"), t)).isEqualTo(t);
  }

  @Test
  void aLateFireIsForTheTimeItMissed() {
    Instant missed = Instant.parse("2025-11-23T02:00:00Z");
    assertThat(
            ScheduleRunner.slot(
                schedule("0 0 2 * * ?", "UTC"), Instant.parse("2025-11-23T09:41:17.250Z")))
        .isEqualTo(missed);
    // three days late: only the most recent missed time counts
    assertThat(
            ScheduleRunner.slot(
                schedule("0 0 2 * * ?", "UTC"), Instant.parse("2025-11-26T01:59:59Z")))
        .isEqualTo(Instant.parse("2025-11-25T02:00:00Z"));
  }

  @Test
  void slotsFollowTheScheduleTimeZone() {
    assertThat(
            ScheduleRunner.slot(
                schedule("0 0 2 * * ?", "Europe/Paris"), Instant.parse("2025-11-23T05:00:00Z")))
        .isEqualTo(Instant.parse("2025-11-23T01:00:00Z"));
  }

  @Test
  void slotsOfWeeklyAndFrequentSchedules() {
    assertThat(
            ScheduleRunner.slot(
                schedule("0 0 4 ? * SUN", "UTC"), Instant.parse("2025-11-28T12:00:00Z")))
        .isEqualTo(Instant.parse("2025-11-23T04:00:00Z"));
    assertThat(
            ScheduleRunner.slot(
                schedule("*/5 * * * * ?", "UTC"), Instant.parse("2025-11-23T10:00:07.900Z")))
        .isEqualTo(Instant.parse("2025-11-23T10:00:05Z"));
  }

  @Test
  void theKeyNamesClusterScheduleAndTime() {
    ScheduleConfig s = schedule("0 0 2 * * ?", "UTC");
    Instant t = Instant.parse("2025-11-23T02:00:00Z");
    assertThat(ScheduleRunner.idempotencyKey(s, t, false))
        .isEqualTo("schedule:prod:nightly:20251123T020000Z");
    assertThat(ScheduleRunner.idempotencyKey(s, t, true))
        .isEqualTo("schedule:prod:nightly:run-" + t.toEpochMilli());
  }

  @Test
  void aKeyTooLongForItsColumnIsShortenedButStaysDistinct() {
    ScheduleConfig a =
        new ScheduleConfig(
            "c".repeat(180), "a", Task.OPTIMIZE, "0 0 2 * * ?", "db1", Map.of(), ZoneId.of("UTC"));
    ScheduleConfig b =
        new ScheduleConfig(
            "c".repeat(180), "b", Task.OPTIMIZE, "0 0 2 * * ?", "db1", Map.of(), ZoneId.of("UTC"));
    Instant t = Instant.parse("2025-11-23T02:00:00Z");
    String ka = ScheduleRunner.idempotencyKey(a, t, false);
    assertThat(ka).hasSizeLessThanOrEqualTo(191);
    assertThat(ka).isNotEqualTo(ScheduleRunner.idempotencyKey(b, t, false));
    assertThat(ka).isEqualTo(ScheduleRunner.idempotencyKey(a, t, false));
  }

  @Test
  void quartzsDdlIsUsedWithoutItsDrops() {
    var sql = QuartzTables.statements();
    assertThat(sql).noneMatch(s -> s.toUpperCase().startsWith("DROP"));
    assertThat(sql.stream().filter(s -> s.startsWith("CREATE TABLE IF NOT EXISTS QRTZ_")))
        .hasSize(QuartzTables.TABLES.size());
    assertThat(sql).anyMatch(s -> s.startsWith("CREATE INDEX IDX_QRTZ_T_NEXT_FIRE_TIME"));
  }
}
