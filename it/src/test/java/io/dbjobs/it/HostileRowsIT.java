package io.dbjobs.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dbjobs.agent.Agent;
import io.dbjobs.common.job.NewJob;
import io.dbjobs.common.job.Task;
import io.dbjobs.common.job.TaskStreamParams;
import io.dbjobs.common.jobs.ManagerJobs;
import io.dbjobs.common.stream.StreamSecret;
import io.dbjobs.manager.config.ManagerConfig;
import io.dbjobs.manager.daemon.DaemonIntegrations;
import io.dbjobs.manager.daemon.ManagerDaemon;
import io.dbjobs.manager.fleet.NodeConnections;
import io.dbjobs.manager.work.BackgroundWork;
import io.dbjobs.testkit.DbServer;
import io.dbjobs.testkit.MariaDbCluster;
import io.dbjobs.testkit.TableChecksums;
import io.dbjobs.testkit.Tripwire;
import io.dbjobs.testkit.Waits;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9's attacks on the jobs table, replayed on a real installation (a primary and two replicas
 * with replication, an agent per node, the manager's CLI and daemon): forged, replicated, altered
 * and replayed rows, option-shaped names and a quoted primary, the API's plain submit route, and
 * rows in states or of tasks dbjobs never writes. Each is refused before anything runs (or, for
 * rows no agent would run, ignored by the manager); the nodes' data stays as it was (checksums),
 * nothing connects to the attacker's listener ({@link Tripwire}), and the legitimate job still
 * succeeds.
 *
 * <p>The rest of the hostile-input suite, on real servers:
 *
 * <ul>
 *   <li>{@link HostileStreamsIT}: the SELECT-and-race for a reseed's secret, 4,000 half HELLOs at
 *       the joiner's :4444, and a reseed whose replication password has quotes under a global
 *       {@code NO_BACKSLASH_ESCAPES};
 *   <li>{@link HostileTlsIT}: another node's certificate from the same CA offered to a joiner;
 *   <li>{@link KeysIT}: key rotation without a window, a wrong key file at start, a replaced
 *       manager key file;
 *   <li>{@link HostileReseedIT}: a schema named {@code --no-data} and {@code reseed --method
 *       logicalmaster};
 *   <li>agent {@code HostileNamesIT}: option-shaped and odd database names on mariadb-dump's
 *       command line, a dump that lost its rows ({@code DUMP_INCOMPLETE}), a receiver host that is
 *       not an address;
 *   <li>agent {@code RepositioningIT}: quotes and backslashes in the replication user and password,
 *       a forged GTID position, under {@code NO_BACKSLASH_ESCAPES};
 *   <li>manager {@code ApiUnderAttackIT}: 16 slow bodies with and without a token, trickled headers
 *       and more connections than the caps, against the real daemon: {@code /health} and a valid
 *       call answer within a second;
 *   <li>common {@code ListenerFloodTest} and {@code StreamTlsIdentityTest}: the same floods and TLS
 *       identities at the listener's level, with the memory they may use.
 * </ul>
 *
 * <p>Rows written by an ordinary account on the primary go to its binary log and replicate: the
 * tests give them ids above every node's own, so that a copy lands on the replicas instead of
 * colliding with a row of theirs (which would stop their SQL thread: any account that may write a
 * replicated table can do that, whatever dbjobs does).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HostileRowsIT {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path dir;
  private static FleetFixture fleet;
  private static ManagerConfig config;
  private static NodeConnections manager;
  private static TableAttacker intruder;
  private static Tripwire tripwire;
  private static DaemonSupport api;
  private static ManagerDaemon daemon;
  private static final Map<String, Agent> agents = new HashMap<>();
  private static long nextForgedId;

  @BeforeAll
  static void start() {
    fleet = new FleetFixture("hj", 3, dir, true);
    fleet
        .node(1)
        .execute(
            "CREATE DATABASE shop",
            "CREATE TABLE shop.t (id INT PRIMARY KEY, v VARCHAR(50))",
            "INSERT INTO shop.t VALUES (1, 'a'), (2, 'it''s'), (3, 'back\\\\slash')");
    FleetFixture.Run nodes = fleet.cli("nodes"); // first contact creates every node's jobs table
    assertThat(nodes.exit()).as(nodes.toString()).isZero();
    intruder = TableAttacker.ordinaryAccount(fleet.node(1), "intruder");
    fleet.cluster.awaitReplication(WAIT);
    fleet.cluster.nodes().forEach(n -> agents.put(n.name(), fleet.startAgent(n, "")));
    config = ManagerConfig.load(fleet.managerYml, System::getenv);
    manager = new NodeConnections(config);
    tripwire = Tripwire.open();
    api = new DaemonSupport(dir);
    Path apiYml =
        fleet.managerYaml("api.yml", fleet.cluster.nodes(), "schedules: []\n", api.yaml());
    daemon = DaemonSupport.start(apiYml, BackgroundWork.into(DaemonIntegrations.defaults()));
  }

  @AfterAll
  static void stop() {
    if (daemon != null) {
      daemon.stop("test over");
    }
    if (manager != null) {
      manager.close();
    }
    if (tripwire != null) {
      tripwire.close();
    }
    if (fleet != null) {
      fleet.close();
    }
  }

  @AfterEach
  void nothingReachedTheAttackersListener() {
    assertThat(tripwire.connections()).as("connections to the attacker's listener").isEmpty();
  }

  private static ManagerJobs jobs(DbServer node) {
    return manager.jobs(config.node(node.name()));
  }

  private static Map<String, Map<String, String>> checksums() {
    Map<String, Map<String, String>> all = new LinkedHashMap<>();
    fleet.cluster.nodes().forEach(n -> all.put(n.name(), TableChecksums.of(n)));
    return all;
  }

  private static void assertReplicasReplicate() {
    fleet.cluster.awaitReplication(WAIT);
    for (DbServer r : fleet.cluster.replicas()) {
      assertThat(MariaDbCluster.replicationStatus(r)).contains("io=Yes sql=Yes");
    }
  }

  /** The manager's analyze of shop on {@code node}, sealed as ever, run to success. */
  private static long legitimateJobSucceeds(DbServer node) {
    long id =
        jobs(node)
            .enqueue(
                NewJob.of(
                    Task.OPTIMIZE,
                    Map.of("mode", "analyze", "tables", "shop.*"),
                    "legit-" + UUID.randomUUID(),
                    "test"))
            .job()
            .id();
    Map<String, String> r = JobRows.awaitEnd(node, id, WAIT);
    assertThat(r.get("state")).as("the legitimate job on %s: %s", node.name(), r).isEqualTo("4");
    return id;
  }

  /** An id far above every id in every node's table. */
  private static long aboveEveryNode() {
    return fleet.cluster.nodes().stream()
            .mapToLong(
                n ->
                    Long.parseLong(
                        n.value("SELECT COALESCE(MAX(id), 0) FROM " + TableAttacker.JOBS)))
            .max()
            .orElseThrow()
        + 1_000_000;
  }

  private static Map<String, String> forged(String task, String params, String seal) {
    nextForgedId = Math.max(nextForgedId + 1, aboveEveryNode());
    Map<String, String> row = new LinkedHashMap<>();
    row.put("id", Long.toString(nextForgedId));
    row.put("task", task);
    row.put("idempotency_key", "forged-" + UUID.randomUUID());
    row.put("params", params);
    row.put("server", "127.0.0.1");
    row.put("port", Integer.toString(tripwire.port()));
    row.put("node", "hj1");
    row.put("seal", seal);
    row.put("submitted_by", "dbjobs manager");
    return row;
  }

  /** A seal of the right form, made with a key the attacker invented. */
  private static String inventedSeal() {
    byte[] mac = new byte[32];
    new java.security.SecureRandom().nextBytes(mac);
    return "v1:0123456789abcdef:"
        + Instant.now().plusSeconds(3600).toEpochMilli()
        + ":"
        + Base64.getUrlEncoder().withoutPadding().encodeToString(mac);
  }

  @Test
  @Order(1)
  void rowsForgedByAnOrdinaryAccountAreRefusedOnEveryNodeTheyReachAndNothingRuns()
      throws Exception {
    Map<String, Map<String, String>> before = checksums();
    Map<String, Long> errorLogs = new HashMap<>();
    Map<String, Double> refusedBefore = new HashMap<>();
    for (DbServer n : fleet.cluster.nodes()) {
      errorLogs.put(n.name(), Files.size(n.errorLog()));
      refusedBefore.put(n.name(), JobRows.refusedCount(agents.get(n.name()).httpPort()));
    }
    // what issue 9 made the agents do: stream the mysql schema and the error log (deleting it) to
    // a listener of the attacker's choosing, replicate from an attacker-named primary
    List<Map<String, String>> rows =
        List.of(
            forged("backup-logical", "{\"stream-id\":\"x\",\"databases\":\"mysql\"}", null),
            forged("errorlog", "{\"stream-id\":\"y\",\"rotate\":\"true\"}", "trust me"),
            forged(
                "reseed-physical",
                "{\"stream-id\":\"z\",\"primary\":\"127.0.0.1:" + tripwire.port() + "\"}",
                inventedSeal()),
            forged(
                "recover", "{\"primary\":\"127.0.0.1' , MASTER_HOST='x:3306\"}", inventedSeal()));
    rows.forEach(intruder::insert);
    fleet.cluster.awaitReplication(WAIT); // the rows went to the binary log: every replica has them

    for (DbServer n : fleet.cluster.nodes()) {
      JobRows.assertRefused(n, Long.parseLong(rows.get(0).get("id")), WAIT, "carries no seal");
      JobRows.assertRefused(n, Long.parseLong(rows.get(1).get("id")), WAIT, "seal is malformed");
      JobRows.assertRefused(
          n, Long.parseLong(rows.get(2).get("id")), WAIT, "sealed with key 0123456789abcdef");
      JobRows.assertRefused(
          n, Long.parseLong(rows.get(3).get("id")), WAIT, "sealed with key 0123456789abcdef");
      assertThat(JobRows.refusedCount(agents.get(n.name()).httpPort()))
          .as("dbjobs_agent_jobs_refused_total of %s", n.name())
          .isEqualTo(refusedBefore.get(n.name()) + rows.size());
      assertThat(Files.size(n.errorLog())).isGreaterThanOrEqualTo(errorLogs.get(n.name()));
    }
    assertThat(checksums()).isEqualTo(before);
    assertReplicasReplicate();
    fleet.cluster.nodes().forEach(HostileRowsIT::legitimateJobSucceeds);
  }

  @Test
  @Order(2)
  void aRowSealedForThePrimaryIsRefusedOnEveryReplicaReplicationCopiesItTo() {
    DbServer primary = fleet.node(1);
    long above = aboveEveryNode();
    // the primary's next job gets an id no replica has (dbjobs' own writes are not logged)
    primary.execute(
        "SET SESSION sql_log_bin=0",
        "ALTER TABLE " + TableAttacker.JOBS + " AUTO_INCREMENT=" + above);
    long id = legitimateJobSucceeds(primary);
    assertThat(id).isGreaterThanOrEqualTo(above);
    Map<String, String> sealed = intruder.row(id);
    Map<String, Map<String, String>> before = checksums();
    // an operator purges the job history (as dbjobs writes: not logged); the intruder puts the
    // row back with binary logging on, so that it replicates
    primary.execute(
        "SET SESSION sql_log_bin=0", "DELETE FROM " + TableAttacker.JOBS + " WHERE id=" + id);
    intruder.insert(TableAttacker.queuedCopy(sealed));
    fleet.cluster.awaitReplication(WAIT);

    JobRows.assertRefused(primary, id, WAIT, "already accepted once on hj1");
    for (DbServer r : fleet.cluster.replicas()) {
      JobRows.assertRefused(
          r,
          id,
          WAIT,
          "sealed with key " + sealed.get("seal").split(":")[1],
          "which node " + r.name() + " does not hold",
          "sealed for another node");
    }
    assertThat(checksums()).isEqualTo(before);
    assertReplicasReplicate();
  }

  @Test
  @Order(3)
  void
      queuedSealedRowsChangedAfterSealingAreRefusedAndAHostilePrimarySealedByMistakeTouchesNothing() {
    DbServer replica = fleet.node(2);
    agents.remove(replica.name()).stop("the attacker changes rows nobody claims");
    ManagerJobs table = jobs(replica);
    String primary = fleet.node(1).host() + ":" + fleet.node(1).port();
    long toMysql = enqueueBackup(table, "shop", 4447);
    long toAttacker = enqueueBackup(table, "shop", 4447);
    long rogue =
        table
            .enqueue(
                NewJob.of(Task.RECOVER, Map.of("primary", primary), "rc-" + UUID.randomUUID(), "t"))
            .job()
            .id();
    long stop =
        table
            .enqueue(
                NewJob.of(
                    Task.OPTIMIZE, Map.of("mode", "analyze"), "op-" + UUID.randomUUID(), "test"))
            .job()
            .id();
    // not through the manager's validation: what a manager bug would seal
    long quoted =
        table
            .enqueue(
                NewJob.of(
                    Task.RECOVER,
                    Map.of("primary", "127.0.0.1' , MASTER_HOST='x:3306"),
                    "q-" + UUID.randomUUID(),
                    "test"))
            .job()
            .id();

    TableAttacker attacker = TableAttacker.withAgentsPassword(replica);
    attacker.update(toMysql, "params=REPLACE(params, '\"shop\"', '\"mysql\"')");
    attacker.update(toAttacker, "server='127.0.0.1', port=?", tripwire.port());
    attacker.update(rogue, "params=REPLACE(params, ?, ?)", primary, "127.0.0.1:" + tripwire.port());
    attacker.update(stop, "task='stop', params='{}'");
    Map<String, String> before = TableChecksums.of(replica);
    String replicationBefore = replicationSettings(replica);

    agents.put(replica.name(), fleet.startAgent(replica, ""));
    for (long id : List.of(toMysql, toAttacker, rogue, stop)) {
      JobRows.assertRefused(
          replica,
          id,
          WAIT,
          "the seal does not match the row",
          "changed after the manager sealed it");
    }
    Map<String, String> q = JobRows.awaitEnd(replica, quoted, WAIT);
    assertThat(q.get("error_code")).as(q.toString()).isEqualTo("BAD_PARAMETER");
    assertThat(q.get("result")).contains("is not a host:port");
    assertThat(replica.answers()).isTrue();
    assertThat(replicationSettings(replica)).isEqualTo(replicationBefore);
    assertThat(TableChecksums.of(replica)).isEqualTo(before);
    assertReplicasReplicate();
    legitimateJobSucceeds(replica);
  }

  /** Where and as whom a replica replicates, whether both threads run, and read_only. */
  private static String replicationSettings(DbServer replica) {
    try (java.sql.Connection c = replica.connect();
        java.sql.Statement s = c.createStatement();
        java.sql.ResultSet rs = s.executeQuery("SHOW SLAVE STATUS")) {
      assertThat(rs.next()).as("%s replicates", replica.name()).isTrue();
      return rs.getString("Master_Host")
          + ":"
          + rs.getString("Master_Port")
          + " as "
          + rs.getString("Master_User")
          + ", io="
          + rs.getString("Slave_IO_Running")
          + " sql="
          + rs.getString("Slave_SQL_Running")
          + ", read_only="
          + replica.value("SELECT @@read_only");
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private static long enqueueBackup(ManagerJobs table, String databases, int port) {
    return table
        .enqueue(
            new NewJob(
                Task.BACKUP_LOGICAL,
                Task.BACKUP_LOGICAL.validate(
                    Map.of(
                        TaskStreamParams.STREAM_ID,
                        "backup/" + UUID.randomUUID(),
                        TaskStreamParams.DATABASES,
                        databases)),
                "bk-" + UUID.randomUUID(),
                "127.0.0.1",
                port,
                "127.0.0.1",
                StreamSecret.mint(),
                "test"))
        .job()
        .id();
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
  @Order(4)
  void aLogicalBackupOfANodeWithAnOptionShapedSchemaFailsAndNothingIsStored() throws Exception {
    DbServer primary = fleet.node(1);
    primary.execute(
        "CREATE DATABASE `--no-data`",
        "CREATE TABLE `--no-data`.t (id INT PRIMARY KEY)",
        "INSERT INTO `--no-data`.t VALUES (1)");
    fleet.cluster.awaitReplication(WAIT);
    long stored = manifests();
    try {
      // mariadb-dump would read the name as an option: refused before the tool runs
      FleetFixture.Run r =
          fleet.cli("backup", "--node", "hj1", "--type", "logical", "--param", "format=sql");
      assertThat(r.exit()).as(r.toString()).isNotZero();
      assertThat(r.out() + r.err())
          .contains("BAD_PARAMETER")
          .contains("the database '--no-data' on this node starts with '-'");
      assertThat(manifests()).isEqualTo(stored);
      // the parallel dump (the default) runs no tool: the schema is stored as a name, row and all
      FleetFixture.Run parts = fleet.cli("backup", "--node", "hj1", "--type", "logical");
      assertThat(parts.exit()).as(parts.toString()).isZero();
      assertThat(parts.out()).contains("parallel logical backup of hj1 (2 tables, 4 rows");
      assertThat(manifests()).isEqualTo(stored + 1);
    } finally {
      primary.execute("DROP DATABASE `--no-data`");
      fleet.cluster.awaitReplication(WAIT);
    }
  }

  @Test
  @Order(5)
  void aFinishedBackupRowPutBackToQueuedOrCopiedUnderANewIdIsRefused() throws Exception {
    DbServer replica = fleet.node(2);
    TableAttacker reader = intruder.on(replica); // SELECT is all it takes to copy a row
    long last =
        Long.parseLong(replica.value("SELECT COALESCE(MAX(id), 0) FROM " + TableAttacker.JOBS));
    CompletableFuture<FleetFixture.Run> backup =
        CompletableFuture.supplyAsync(
            () -> fleet.cli("backup", "--node", "hj2", "--type", "logical"));
    // while it runs, its row still holds the wrapped secret: copy it then
    Map<String, String> snapshot =
        Waits.until(
            "the backup's row to be running on hj2",
            WAIT,
            () ->
                reader
                    .rows("id > " + last + " AND task='backup-logical' AND secret_box IS NOT NULL")
                    .stream()
                    .findFirst()
                    .orElse(null),
            r -> r != null);
    FleetFixture.Run done = backup.get(2, TimeUnit.MINUTES);
    assertThat(done.exit()).as(done.toString()).isZero();
    long id = Long.parseLong(snapshot.get("id"));
    assertThat(JobRows.row(replica, id).get("state")).isEqualTo("4");
    long stored = manifests();

    TableAttacker attacker = TableAttacker.withAgentsPassword(replica);
    attacker.requeue(id, snapshot.get("secret_box"));
    JobRows.assertRefused(replica, id, WAIT, "already accepted once on hj2");

    attacker.delete(id);
    Map<String, String> copy = TableAttacker.queuedCopy(snapshot);
    copy.put("id", Long.toString(id + 500_000));
    attacker.insert(copy);
    JobRows.assertRefused(replica, id + 500_000, WAIT, "the seal does not match the row");
    assertThat(manifests()).isEqualTo(stored);
  }

  // ---- the API's plain submit route ----

  private static HttpResponse<String> post(String path, Map<String, Object> body) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create(api.url() + path))
                .header("Authorization", "Bearer " + DaemonSupport.API_TOKEN)
                .header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
                .build(),
            HttpResponse.BodyHandlers.ofString());
  }

  private static String daemonMetrics() {
    try {
      HttpResponse<String> r =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create(api.url() + "/metrics"))
                      .header("Authorization", "Bearer " + DaemonSupport.API_TOKEN)
                      .timeout(Duration.ofSeconds(30))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      return r.body();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static JsonNode refused(HttpResponse<String> r, String code) throws Exception {
    assertThat(r.statusCode()).as(r.body()).isBetween(400, 499);
    JsonNode b = JSON.readTree(r.body());
    assertThat(b.get("code").asText()).as(r.body()).isEqualTo(code);
    return b;
  }

  private static String rowCount(DbServer node) {
    return node.value("SELECT COUNT(*) FROM " + TableAttacker.JOBS);
  }

  @Test
  @Order(6)
  void theApisPlainSubmitCreatesNoStreamTaskAndNoJobWithAHostileName() throws Exception {
    DbServer primary = fleet.node(1);
    String rows = rowCount(primary);
    String replicaRows = rowCount(fleet.node(2));
    for (Task t : Task.values()) {
      if (t.submittable()) {
        continue;
      }
      JsonNode b =
          refused(
              post(
                  "/v1/jobs",
                  Map.of(
                      "node", "hj1",
                      "task", t.wireName(),
                      "params", Map.of("stream-id", "s", "primary", "127.0.0.1:3306"))),
              "USAGE");
      assertThat(b.get("error").asText()).contains("cannot be submitted as a plain job");
    }
    refused(
        post(
            "/v1/jobs",
            Map.of(
                "node",
                "hj2",
                "task",
                "recover",
                "params",
                Map.of("primary", "127.0.0.1' , MASTER_HOST='x:3306"))),
        "BAD_PARAMETER");
    for (String tables :
        List.of("shop.t`; DROP TABLE shop.t; --", "sh'op.t", "sh\\op.t", "shop.t\nx")) {
      refused(
          post(
              "/v1/jobs",
              Map.of("node", "hj1", "task", "optimize", "params", Map.of("tables", tables))),
          "BAD_PARAMETER");
    }
    HttpResponse<String> reseed =
        post(
            "/v1/reseed",
            Map.of(
                "node",
                "hj2",
                "method",
                "logicalmaster",
                "primary",
                "127.0.0.1' , MASTER_HOST='x"));
    assertThat(reseed.statusCode()).as(reseed.body()).isBetween(400, 499);
    assertThat(rowCount(primary)).isEqualTo(rows);
    assertThat(rowCount(fleet.node(2))).isEqualTo(replicaRows);

    // a logical backup naming option-shaped databases that do not exist: sealed by the manager,
    // refused by the agent (mariadb-dump: before it runs; the parallel dump: before it reads)
    Map<String, String> refusals =
        Map.of("sql", "starts with '-'", "parts", "is not a user schema of the source");
    for (String databases : List.of("-e", "shop,--no-data")) {
      for (Map.Entry<String, String> format : refusals.entrySet()) {
        HttpResponse<String> b =
            post(
                "/v1/backups",
                Map.of(
                    "node",
                    "hj1",
                    "type",
                    "logical",
                    "params",
                    Map.of("databases", databases, "format", format.getKey())));
        assertThat(b.statusCode()).as(b.body()).isEqualTo(202);
        long id = JSON.readTree(b.body()).get("id").asLong();
        Map<String, String> r = JobRows.awaitEnd(primary, id, WAIT);
        assertThat(r.get("error_code")).as(r.toString()).isEqualTo("BAD_PARAMETER");
        assertThat(r.get("result")).contains(format.getValue());
      }
    }
  }

  @Test
  @Order(7)
  void rowsInAStateDbjobsNeverWritesOrAForgedRunningReseedBlockNoListingAndNoReseed() {
    String made = "made-up-" + UUID.randomUUID();
    Map<String, String> unknownState = forged(made, "{}", null);
    unknownState.put("state", "9");
    Map<String, String> unknownTask = forged(made, "{}", null); // queued: the agents refuse it
    Map<String, String> running =
        forged(
            "reseed-logical",
            "{\"stream-id\":\"r\",\"primary\":\"127.0.0.1:3306\"}",
            inventedSeal());
    running.put("state", "1");
    running.put("lease_owner", "hj2@elsewhere/1");
    running.put("lease_expires", "2099-01-01 00:00:00");
    intruder.insert(unknownState);
    intruder.insert(unknownTask);
    intruder.insert(running);
    fleet.cluster.awaitReplication(WAIT);
    for (DbServer n : fleet.cluster.nodes()) {
      JobRows.assertRefused(n, Long.parseLong(unknownTask.get("id")), WAIT, "carries no seal");
    }

    // the daemon's watchdog counts them, with no series per made-up task, and sees every node up
    String metrics =
        Waits.until(
            "the daemon's watchdog to count the refused row of a made-up task on every node",
            WAIT,
            HostileRowsIT::daemonMetrics,
            m ->
                fleet.cluster.nodes().stream()
                    .allMatch(
                        n ->
                            m.lines()
                                .anyMatch(
                                    l ->
                                        l.startsWith("dbjobs_jobs{")
                                            && l.contains("node=\"" + n.name() + "\"")
                                            && l.contains("task=\"other\"")
                                            && l.contains("state=\"failed\""))));
    assertThat(metrics).doesNotContain(made);
    assertThat(metrics.lines().filter(l -> l.startsWith("dbjobs_node_up{")))
        .hasSize(3)
        .allMatch(l -> l.endsWith(" 1.0"), "every node up");

    FleetFixture.Run jobs = fleet.cli("jobs", "--node", "hj2");
    assertThat(jobs.exit()).as(jobs.toString()).isZero();
    assertThat(jobs.out()).doesNotContain(unknownState.get("id"));
    fleet
        .node(2)
        .execute("STOP SLAVE", "SET SESSION sql_log_bin=0", "DELETE FROM shop.t WHERE id=1");
    FleetFixture.Run reseed = fleet.cli("reseed", "--node", "hj2", "--method", "logicalmaster");
    assertThat(reseed.exit()).as(reseed.toString()).isZero();
    assertThat(reseed.out()).contains("succeeded");
    assertReplicasReplicate();
    assertThat(TableChecksums.of(fleet.node(2))).isEqualTo(TableChecksums.of(fleet.node(1)));
  }
}
