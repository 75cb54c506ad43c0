package io.dbjobs.agent.task.reseed;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.dbjobs.agent.AgentFixture;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.config.DatabaseEndpoint;
import io.dbjobs.common.config.Secret;
import io.dbjobs.common.db.DataSources;
import io.dbjobs.testkit.DbBackend;
import io.dbjobs.testkit.DbServer;
import io.dbjobs.testkit.FidelityData;
import io.dbjobs.testkit.ServerOptions;
import io.dbjobs.testkit.TableChecksums;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A logical reseed's set-aside, load and put-back killed at each of their crash points, on a real
 * server: the crashed run's thread is frozen where it stood, then a fresh settle (what an agent
 * does at its next start) must leave either the old schemas, with every table's checksum and every
 * view, routine, event and trigger as they were (definer, sql_mode, character set context, trigger
 * order), or, after a complete load, the loaded data.
 */
class KeptAsideCrashIT {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final String GTID = "0-1-99";
  private static DbServer server;
  private static AgentFixture fx;
  @TempDir static Path dir;
  private HikariDataSource pool;
  private Path journal;
  private FakeRejoin rejoin;

  @BeforeAll
  static void startServer() {
    server = DbBackend.local().start("aside", 1, ServerOptions.defaults());
    fx = new AgentFixture(server, dir, true);
  }

  @AfterAll
  static void stopServer() {
    if (fx != null) {
      fx.close();
    }
    if (server != null) {
      server.close();
    }
  }

  @BeforeEach
  void oldSchemas() throws Exception {
    for (String s : userSchemas()) {
      server.execute("DROP DATABASE `" + s.replace("`", "``") + "`");
    }
    FidelityData.create(server);
    server.execute(
        "CREATE DATABASE shop CHARACTER SET latin1 COLLATE latin1_swedish_ci",
        "CREATE TABLE shop.orders (id INT PRIMARY KEY, amount INT) ENGINE=InnoDB",
        "INSERT INTO shop.orders VALUES (1, 10), (2, 20)",
        "CREATE TABLE shop.log (id INT AUTO_INCREMENT PRIMARY KEY, what VARCHAR(50))",
        "CREATE SEQUENCE shop.order_ids START WITH 100",
        "CREATE DEFINER=`nobody`@`%` VIEW shop.big_orders AS SELECT id FROM shop.orders WHERE amount > 15",
        "CREATE TRIGGER shop.t_first AFTER INSERT ON shop.orders FOR EACH ROW"
            + " INSERT INTO shop.log (what) VALUES ('first')",
        "CREATE TRIGGER shop.t_second AFTER INSERT ON shop.orders FOR EACH ROW PRECEDES t_first"
            + " INSERT INTO shop.log (what) VALUES ('second')",
        "SET SESSION sql_mode = 'ANSI_QUOTES,NO_BACKSLASH_ESCAPES'",
        "SET NAMES latin1",
        "CREATE PROCEDURE shop.quoted() SELECT 'a\\b' AS \"col\"",
        "SET SESSION time_zone = '+03:00'",
        "CREATE EVENT shop.nightly ON SCHEDULE EVERY 1 DAY STARTS '2030-01-01 03:00:00' DISABLE"
            + " DO DELETE FROM shop.log");
    server.execute(
        "CREATE DATABASE `odd``name`",
        "CREATE TABLE `odd``name`.`t``1` (id INT PRIMARY KEY)",
        "INSERT INTO `odd``name`.`t``1` VALUES (5)");
    pool =
        DataSources.pool(
            new DatabaseEndpoint(
                server.host(),
                server.port(),
                null,
                io.dbjobs.testkit.DbUsers.AGENT,
                new Secret(AgentFixture.AGENT_PASSWORD, "test")),
            "aside-test",
            4,
            Duration.ofSeconds(5));
    journal = KeptAside.journalFile(Files.createDirectories(dir.resolve("reseed")), 11);
    Files.deleteIfExists(journal);
    rejoin = new FakeRejoin();
  }

  @AfterEach
  void closePool() {
    if (pool != null) {
      pool.close(); // a frozen run's connection goes, as a killed agent's would
    }
  }

  private static List<String> userSchemas() {
    return server.column(
        "SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME NOT IN"
            + " ('mysql','information_schema','performance_schema','sys','replication_manager_schema')"
            + " ORDER BY 1");
  }

  /** Every view, routine, event and trigger with what makes it what it is. */
  private static List<String> definitions() {
    List<String> out = new ArrayList<>();
    out.addAll(
        server.column(
            "SELECT CONCAT_WS(' | ', ROUTINE_SCHEMA, ROUTINE_NAME, ROUTINE_TYPE, DEFINER, SQL_MODE,"
                + " CHARACTER_SET_CLIENT, COLLATION_CONNECTION, DATABASE_COLLATION,"
                + " ROUTINE_DEFINITION) FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA NOT IN"
                + " ('mysql','sys') ORDER BY 1"));
    out.addAll(
        server.column(
            "SELECT CONCAT_WS(' | ', TABLE_SCHEMA, TABLE_NAME, DEFINER, SECURITY_TYPE,"
                + " CHARACTER_SET_CLIENT, COLLATION_CONNECTION, VIEW_DEFINITION)"
                + " FROM information_schema.VIEWS WHERE TABLE_SCHEMA NOT IN ('mysql','sys') ORDER BY 1"));
    out.addAll(
        server.column(
            "SELECT CONCAT_WS(' | ', TRIGGER_SCHEMA, TRIGGER_NAME, EVENT_OBJECT_TABLE, ACTION_ORDER,"
                + " DEFINER, SQL_MODE, CHARACTER_SET_CLIENT, COLLATION_CONNECTION, ACTION_STATEMENT)"
                + " FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA NOT IN ('mysql','sys')"
                + " ORDER BY 1"));
    out.addAll(
        server.column(
            "SELECT CONCAT_WS(' | ', EVENT_SCHEMA, EVENT_NAME, DEFINER, SQL_MODE, TIME_ZONE, STATUS,"
                + " CHARACTER_SET_CLIENT, COLLATION_CONNECTION, EVENT_DEFINITION)"
                + " FROM information_schema.EVENTS ORDER BY 1"));
    out.addAll(
        server.column(
            "SELECT CONCAT_WS(' | ', SCHEMA_NAME, DEFAULT_CHARACTER_SET_NAME,"
                + " DEFAULT_COLLATION_NAME) FROM information_schema.SCHEMATA ORDER BY 1"));
    return out;
  }

  private KeptAside.AsidePlan plan() {
    return new KeptAside.AsidePlan(
        11, "db2@host/1", "reseed-logical", "10.0.0.1:3306", false, null, List.of(), List.of());
  }

  /** What a dump of another server loads: fidelity with other rows, and a schema of its own. */
  private static void load() {
    server.execute(
        "SET SESSION sql_log_bin=0",
        "CREATE DATABASE fidelity",
        "CREATE TABLE fidelity.customers (id INT PRIMARY KEY, name VARCHAR(100))",
        "INSERT INTO fidelity.customers VALUES (1, 'loaded')",
        "CREATE DATABASE brand_new",
        "CREATE TABLE brand_new.t (id INT PRIMARY KEY)",
        "INSERT INTO brand_new.t VALUES (7)");
  }

  /** The logical handler's steps, with {@code crash} points; the load fails when told. */
  private void reseed(CrashPoints crash, boolean loadFails) throws Exception {
    KeptAside aside = KeptAside.setAside(pool, journal, plan(), crash);
    crash.reach(CrashPoint.ASIDE_LOADING);
    load();
    if (loadFails) {
      aside.putBack("the load failed (test)");
      return;
    }
    crash.reach(CrashPoint.ASIDE_LOAD_ENDED);
    aside.loaded(GTID);
    aside.finish(rejoin);
  }

  static Stream<CrashPoint> points() {
    return Arrays.stream(CrashPoint.values())
        .filter(
            p ->
                p.group() == CrashPoint.Group.ASIDE || p.group() == CrashPoint.Group.ASIDE_PUTBACK);
  }

  @ParameterizedTest(name = "killed at {0}")
  @MethodSource("points")
  void aSetAsideKilledAtAnyStepIsSettledAtTheNextStart(CrashPoint point) throws Exception {
    List<String> schemasBefore = userSchemas();
    Map<String, String> tablesBefore = TableChecksums.of(server, "fidelity", "shop");
    List<String> definitionsBefore = definitions();
    boolean loadFails = point.group() == CrashPoint.Group.ASIDE_PUTBACK;

    FrozenAt crash = FrozenAt.at(point);
    crash.runUntilFrozen(() -> reseed(crash.points(), loadFails), WAIT);
    PhysicalSwap.Ended ended = KeptAside.settle(pool, journal, rejoin, CrashPoints.none());

    if (point.settlesBy() == CrashPoint.Settle.FINISH) {
      assertThat(ended.finished()).as(ended.text()).isTrue();
      assertThat(ended.text()).contains("the old schemas were dropped");
      assertThat(userSchemas()).containsExactly("brand_new", "fidelity");
      assertThat(server.value("SELECT name FROM fidelity.customers")).isEqualTo("loaded");
      assertThat(rejoin.repositionings()).isEqualTo(1);
    } else {
      assertThat(ended.code()).as(ended.text()).isEqualTo(ErrorCode.ROLLED_BACK);
      assertThat(ended.text()).contains("rolled back (the old schemas serve again)");
      assertThat(userSchemas()).isEqualTo(schemasBefore);
      assertThat(TableChecksums.of(server, "fidelity", "shop")).isEqualTo(tablesBefore);
      assertThat(server.value("SELECT id FROM `odd``name`.`t``1`")).isEqualTo("5");
      assertThat(definitions()).isEqualTo(definitionsBefore);
      FidelityData.assertObjectsPresent(server);
      assertThat(server.value("SELECT NEXTVAL(shop.order_ids)")).isEqualTo("100");
      assertThat(rejoin.calls).isEmpty();
    }
    assertThat(server.column("SHOW DATABASES")).noneMatch(d -> d.startsWith("_dbjobs_old_"));
    assertThat(journal).doesNotExist();
  }

  @Test
  void savesEveryDefinitionInTheJournalBeforeDroppingAnything() throws Exception {
    FrozenAt crash = FrozenAt.at(CrashPoint.ASIDE_SAVED);
    crash.runUntilFrozen(() -> reseed(crash.points(), false), WAIT);
    KeptAside.AsidePlan saved = StepJournal.read(journal).plan(KeptAside.AsidePlan.class);
    assertThat(saved.schemas().stream().map(KeptAside.Held::schema))
        .containsExactly("fidelity", "odd`name", "shop");
    KeptAside.Held shop = saved.schemas().get(2);
    assertThat(shop.tables()).containsExactlyInAnyOrder("orders", "log", "order_ids");
    assertThat(shop.definitions().stream().map(d -> d.kind() + " " + d.name()))
        .containsExactly(
            "PROCEDURE quoted",
            "VIEW big_orders",
            "EVENT nightly",
            "TRIGGER t_second",
            "TRIGGER t_first");
    KeptAside.Definition quoted = shop.definitions().get(0);
    assertThat(quoted.sqlMode()).isEqualTo("ANSI_QUOTES,NO_BACKSLASH_ESCAPES");
    assertThat(quoted.characterSetClient()).isEqualTo("latin1");
    assertThat(quoted.sql()).contains("DEFINER=");
    assertThat(shop.definitions().get(2).timeZone()).isEqualTo("+03:00");
    assertThat(definitions()).as("nothing dropped yet").isNotEmpty();
    assertThat(userSchemas()).doesNotContain("_dbjobs_old_11_1");
    KeptAside.settle(pool, journal, rejoin, CrashPoints.none());
  }
}
