package io.dbjobs.manager.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.manager.daemon.DaemonIntegrations;
import io.dbjobs.manager.daemon.DaemonProcess;
import io.dbjobs.manager.daemon.ManagerDaemon;
import io.dbjobs.manager.daemon.ServeFixture;
import io.dbjobs.testkit.ConfigFiles;
import io.dbjobs.testkit.DbServer;
import io.dbjobs.testkit.FreePorts;
import io.dbjobs.testkit.MariaDbCluster;
import io.dbjobs.testkit.Waits;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two daemons, as separate processes, on one clustered Quartz JDBC store (one more real server):
 * each fire happens on exactly one of them, and when one is SIGKILLed the other carries on.
 */
class ClusteredSchedulerIT {
  private static final Pattern FIRED =
      Pattern.compile("schedule cs/tick fired for (\\S+) on instance (\\S+)");
  private static final String STORE_PASSWORD = "store-pw-42";
  @TempDir static Path dir;
  private static ServeFixture fx;
  private static MariaDbCluster store;
  private static final List<DaemonProcess> processes = new ArrayList<>();

  @BeforeAll
  static void start() {
    fx = new ServeFixture("cs", 1, dir);
    store = MariaDbCluster.start("qs", 1);
    store
        .primary()
        .execute(
            "CREATE DATABASE dbjobs_scheduler",
            "CREATE USER 'dbjobs_scheduler'@'%' IDENTIFIED BY '" + STORE_PASSWORD + "'",
            "GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, INDEX, REFERENCES ON"
                + " dbjobs_scheduler.* TO 'dbjobs_scheduler'@'%'",
            "CREATE DATABASE weak_store",
            "CREATE USER 'weak'@'%' IDENTIFIED BY '" + STORE_PASSWORD + "'",
            "GRANT SELECT, INSERT, UPDATE, DELETE ON weak_store.* TO 'weak'@'%'");
  }

  @AfterAll
  static void stop() {
    processes.forEach(DaemonProcess::close);
    if (store != null) {
      store.close();
    }
    if (fx != null) {
      fx.close();
    }
  }

  private static Path config(String file, int apiPort, String database, String user) {
    DbServer s = store.primary();
    Path pw = ConfigFiles.secret(dir, "store.password", STORE_PASSWORD);
    return fx.writeConfig(
        file,
        apiPort,
        "schedules:\n"
            + "  - {name: tick, task: optimize, cron: '*/2 * * * * ?', node: cs1,"
            + " params: {mode: analyze}}\n",
        "scheduler:\n"
            + "  store: jdbc\n"
            + "  jdbc:\n"
            + "    url: 'jdbc:mysql://"
            + s.host()
            + ":"
            + s.port()
            + "/"
            + database
            + "?useSSL=false&allowPublicKeyRetrieval=true'\n"
            + "    user: "
            + user
            + "\n"
            + "    password: {file: "
            + pw
            + "}\n"
            + "    checkinInterval: 1s\n");
  }

  /** Slot -> instances that logged a fire for it. */
  private static Map<String, List<String>> fires(DaemonProcess... ps) {
    Map<String, List<String>> out = new TreeMap<>();
    for (DaemonProcess p : ps) {
      Matcher m = FIRED.matcher(p.log());
      while (m.find()) {
        out.computeIfAbsent(m.group(1), k -> new ArrayList<>()).add(m.group(2));
      }
    }
    return out;
  }

  @Test
  void twoDaemonsFireEachRunOnceAndTheSurvivorCarriesOnAfterAKill() throws Exception {
    DaemonProcess a =
        DaemonProcess.start(
            config("a.yml", FreePorts.next(), "dbjobs_scheduler", "dbjobs_scheduler"),
            dir.resolve("a.log"));
    processes.add(a);
    Waits.until(
        "daemon a to start",
        Duration.ofSeconds(60),
        () -> a.log().contains("dbjobs serve dev started") || !a.alive());
    assertThat(a.log())
        .as(a.log())
        .contains("created Quartz's tables in database dbjobs_scheduler");
    DaemonProcess b =
        DaemonProcess.start(
            config("b.yml", FreePorts.next(), "dbjobs_scheduler", "dbjobs_scheduler"),
            dir.resolve("b.log"));
    processes.add(b);
    Waits.until(
        "daemon b to start",
        Duration.ofSeconds(60),
        () -> b.log().contains("dbjobs serve dev started") || !b.alive());
    assertThat(b.log()).as(b.log()).contains("dbjobs serve dev started");
    assertThat(b.log()).doesNotContain("created Quartz's tables");
    assertThat(store.primary().value("SELECT COUNT(*) FROM dbjobs_scheduler.QRTZ_SCHEDULER_STATE"))
        .isEqualTo("2");

    Waits.until(
        "a dozen fires while both run", Duration.ofSeconds(60), () -> fires(a, b).size() >= 12);
    Map<String, List<String>> both = fires(a, b);
    assertThat(both.values()).as("fires per slot: " + both).allMatch(l -> l.size() == 1);
    // every fired slot left exactly one job; none was refused as a duplicate
    // a fire is logged as it starts; its job is enqueued (and sealed) right after
    String keys =
        Waits.until(
            "every fired slot's job to be in the table",
            Duration.ofSeconds(30),
            () ->
                fx.node(1)
                    .value(
                        "SELECT COUNT(DISTINCT idempotency_key) FROM replication_manager_schema.jobs"
                            + " WHERE idempotency_key LIKE 'schedule:cs:tick:%'"),
            k -> Integer.parseInt(k) >= both.size());
    assertThat(Integer.parseInt(keys)).isGreaterThanOrEqualTo(both.size());
    assertThat(a.log() + b.log()).doesNotContain("exists already");

    Instant killed = Instant.now();
    a.kill();
    Waits.until(
        "b to fire three more runs after a was killed",
        Duration.ofSeconds(90),
        () ->
            fires(b).keySet().stream().filter(s -> Instant.parse(s).isAfter(killed)).count() >= 3);
    Map<String, List<String>> all = fires(a, b);
    assertThat(all.values()).as("fires per slot: " + all).allMatch(l -> l.size() == 1);

    assertThat(b.terminate(Duration.ofSeconds(30))).isEqualTo(143);
    assertThat(b.log())
        .contains("dbjobs serve stopping: SIGTERM")
        .contains("scheduler shut down")
        .contains("dbjobs serve stopped");
  }

  @Test
  void aStoreUserThatMayNotCreateTablesGetsAClearError() {
    Path weak = config("weak.yml", FreePorts.next(), "weak_store", "weak");
    assertThatThrownBy(
            () -> ManagerDaemon.start(ServeFixture.load(weak), DaemonIntegrations.defaults()))
        .isInstanceOfSatisfying(
            DbJobsException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.PERMISSION_DENIED))
        .hasMessageContaining("the scheduler store weak@jdbc:mysql://")
        .hasMessageContaining("CREATE command denied")
        .hasMessageContaining("CREATE, INDEX, REFERENCES to create Quartz's tables")
        .hasMessageContaining("--print-scheduler-ddl");
  }
}
