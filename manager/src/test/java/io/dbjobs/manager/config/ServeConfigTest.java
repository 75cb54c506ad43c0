package io.dbjobs.manager.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.job.Task;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The keys of dbjobs serve in manager.yml: defaults, schedules, and every problem named. */
class ServeConfigTest {
  private static final Map<String, String> ENV =
      Map.of("API_TOKEN", "tok-123456", "DB_PW", "pw-abcdef", "STORE_PW", "store-pw-xyz");

  private static final String CLUSTER =
      "clusters:\n"
          + "  - name: prod\n"
          + "    credentials: {password: {env: DB_PW}}\n"
          + "    nodes:\n"
          + "      - {name: db1, host: 10.0.0.1}\n"
          + "      - {name: db2, host: 10.0.0.2}\n";

  private static ManagerConfig parse(String yaml) {
    return ManagerConfig.fromYaml(yaml, "manager.yml", ENV::get, Path.of("/"));
  }

  private static String problems(String yaml) {
    try {
      parse(yaml);
    } catch (DbJobsException e) {
      return e.getMessage();
    }
    throw new AssertionError("expected problems in:\n" + yaml);
  }

  @Test
  void everyServeKeyHasItsDefault() {
    ManagerConfig c = parse(CLUSTER);
    assertThat(c.api().url()).isNull();
    assertThat(c.api().bind()).isEqualTo("127.0.0.1");
    assertThat(c.api().port()).isEqualTo(4446);
    assertThat(c.api().token()).isNull();
    assertThat(c.watchdog().interval()).isEqualTo(Duration.ofSeconds(5));
    assertThat(c.scheduler().store()).isEqualTo("ram");
    assertThat(c.scheduler().clustered()).isFalse();
    assertThat(c.scheduler().threads()).isEqualTo(4);
    assertThat(c.scheduler().misfireThreshold()).isEqualTo(Duration.ofSeconds(60));
    assertThat(c.scheduler().catchUp()).isEqualTo(Duration.ofHours(24));
    assertThat(c.scheduler().timeZone()).isEqualTo(ZoneId.systemDefault());
    assertThat(c.scheduler().jdbc()).isNull();
  }

  @Test
  void aClusterWithoutSchedulesGetsADailyPhysicalBackupOnAReplica() {
    ManagerConfig c = parse(CLUSTER);
    assertThat(c.schedules()).hasSize(1);
    ScheduleConfig s = c.schedules().get(0);
    assertThat(s.qualifiedName()).isEqualTo("prod/daily-physical-backup");
    assertThat(s.task()).isEqualTo(Task.BACKUP_PHYSICAL);
    assertThat(s.cron()).isEqualTo("0 0 2 * * ?");
    assertThat(s.node()).isEqualTo("replica");
  }

  @Test
  void anEmptyScheduleListMeansNoSchedules() {
    assertThat(parse(CLUSTER + "    schedules: []\n").schedules()).isEmpty();
  }

  @Test
  void schedulesAreReadWithTheirParametersAndZones() {
    ManagerConfig c =
        parse(
            CLUSTER
                + "    schedules:\n"
                + "      - name: nightly-logical\n"
                + "        task: backup-logical\n"
                + "        cron: '0 30 1 * * ?'\n"
                + "        params: {databases: shop, compression: zstd}\n"
                + "      - name: weekly-optimize\n"
                + "        task: optimize\n"
                + "        cron: '0 0 4 ? * SUN'\n"
                + "        node: primary\n"
                + "        timeZone: Europe/Paris\n"
                + "        params: {tables: 'shop.*', mode: analyze}\n"
                + "      - {name: errors, task: errorlog, cron: '0 0 * * * ?', node: db2}\n"
                + "scheduler: {timeZone: UTC}\n");
    assertThat(c.schedules()).hasSize(3);
    ScheduleConfig b = c.schedules().get(0);
    assertThat(b.node()).isEqualTo("replica");
    assertThat(b.params()).containsEntry("databases", "shop").containsEntry("compression", "zstd");
    assertThat(b.timeZone()).isEqualTo(ZoneId.of("UTC"));
    ScheduleConfig o = c.schedules().get(1);
    assertThat(o.node()).isEqualTo("primary");
    assertThat(o.timeZone()).isEqualTo(ZoneId.of("Europe/Paris"));
    assertThat(o.params()).containsEntry("mode", "analyze");
    assertThat(c.schedules("prod")).hasSize(3);
    assertThat(c.describe())
        .anyMatch(l -> l.equals("schedule prod/errors: errorlog on db2 at '0 0 * * * ?' (UTC)"));
  }

  @Test
  void badSchedulesNameEveryProblemWithItsKey() {
    String p =
        problems(
            CLUSTER
                + "    schedules:\n"
                + "      - {name: a, task: backup-physical, cron: '0 2 * * *'}\n"
                + "      - {name: b, task: restart, cron: '0 0 2 * * ?', node: db1}\n"
                + "      - {name: c, task: optimize, cron: '0 0 2 * * ?'}\n"
                + "      - {name: d, task: optimize, cron: '0 0 2 * * ?', node: db9}\n"
                + "      - {name: e, task: optimize, cron: '0 0 2 * * ?', node: db1,"
                + " params: {tabels: x.y}}\n"
                + "      - {name: f, task: optimize, cron: '0 0 2 * * ?', node: db1,"
                + " params: {mode: defrag}}\n"
                + "      - {name: a, task: optimize, cron: '0 0 2 * * ?', node: db1}\n"
                + "      - {name: 'x y', task: optimize, cron: '0 0 2 * * ?', node: db1,"
                + " timeZone: Mars/Olympus}\n");
    assertThat(p)
        .contains("clusters[0].schedules[0].cron: '0 2 * * *' is not a Quartz cron expression")
        .contains("looks like a 5-field Unix cron")
        .contains(
            "clusters[0].schedules[1].task: 'restart' cannot be scheduled; schedulable tasks:")
        .contains("clusters[0].schedules[2].node: is required for task optimize")
        .contains(
            "clusters[0].schedules[3].node: 'db9' is no node of cluster prod; use one of db1, db2")
        .contains("clusters[0].schedules[4].params.tabels: unknown key; did you mean 'tables'?")
        .contains("clusters[0].schedules[5].params.mode: task optimize: parameter 'mode'='defrag'")
        .contains("clusters[0].schedules[6].name: schedule name 'a' is used twice in cluster prod")
        .contains("clusters[0].schedules[7].name: 'x y' must be 1-64 letters")
        .contains("clusters[0].schedules[7].timeZone: 'Mars/Olympus' is not a time zone");
  }

  @Test
  void theJdbcStoreNeedsADatabaseUrlWithoutAPassword() {
    assertThat(problems(CLUSTER + "scheduler: {store: jdbc}\n"))
        .contains("scheduler.jdbc.url: is required");
    assertThat(problems(CLUSTER + "scheduler: {store: jdbc, jdbc: {url: 'jdbc:mysql://h:3306'}}\n"))
        .contains(
            "scheduler.jdbc.url: 'jdbc:mysql://h:3306' must be jdbc:mysql://HOST:PORT/DATABASE");
    assertThat(
            problems(
                CLUSTER
                    + "scheduler: {store: jdbc, jdbc: {url: 'jdbc:mysql://h:3306/q?password=x'}}\n"))
        .contains("scheduler.jdbc.url: must not contain a password");
    assertThat(problems(CLUSTER + "scheduler: {store: postgres}\n"))
        .contains("scheduler.store: is 'postgres'; must be one of ram, jdbc");
  }

  @Test
  void theJdbcStoreIsReadWithItsDefaults() {
    ManagerConfig c =
        parse(
            CLUSTER
                + "scheduler:\n"
                + "  store: jdbc\n"
                + "  jdbc:\n"
                + "    url: jdbc:mysql://store:3306/dbjobs_scheduler\n"
                + "    password: {env: STORE_PW}\n");
    SchedulerConfig.JdbcStore j = c.scheduler().jdbc();
    assertThat(c.scheduler().clustered()).isTrue();
    assertThat(j.user()).isEqualTo("dbjobs_scheduler");
    assertThat(j.instanceId()).isEqualTo("auto");
    assertThat(j.checkinInterval()).isEqualTo(Duration.ofMillis(7500));
    assertThat(j.createTables()).isTrue();
    assertThat(String.join("\n", c.describe()))
        .contains("scheduler.jdbc: url=jdbc:mysql://store:3306/dbjobs_scheduler")
        .contains("password=****(env:STORE_PW)")
        .doesNotContain("store-pw-xyz");
  }

  @Test
  void theApiSettingsAreReadAndTheTokenNeverPrinted() {
    ManagerConfig c =
        parse(
            CLUSTER
                + "api: {url: 'http://127.0.0.1:4446/', bind: 0.0.0.0, port: 9000,"
                + " token: {env: API_TOKEN}}\n");
    assertThat(c.api().url()).isEqualTo("http://127.0.0.1:4446");
    assertThat(c.api().port()).isEqualTo(9000);
    assertThat(c.api().token().reveal()).isEqualTo("tok-123456");
    assertThat(String.join("\n", c.describe()))
        .contains("token=****(env:API_TOKEN)")
        .doesNotContain("tok-123456")
        .doesNotContain("pw-abcdef");
    assertThat(problems(CLUSTER + "api: {url: 'localhost:4446', token: tok}\n"))
        .contains("api.url: 'localhost:4446' is not an http:// URL")
        .contains("api.token: must reference the secret");
  }

  @Test
  void aCliThatOnlyTalksToADaemonNeedsNoClusters() {
    ManagerConfig c = parse("api: {url: 'http://mgr:4446', token: {env: API_TOKEN}}\n");
    assertThat(c.clusters()).isEmpty();
    assertThatThrownBy(() -> parse("api: {port: 4446}\n"))
        .hasMessageContaining("clusters: is required");
  }
}
