package io.dbjobs.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.auth.JobSealer;
import io.dbjobs.common.auth.KeyRing;
import io.dbjobs.common.auth.SealedFields;
import io.dbjobs.common.job.Job;
import io.dbjobs.common.job.JobState;
import io.dbjobs.common.job.NewJob;
import io.dbjobs.common.job.Task;
import io.dbjobs.common.jobs.ManagerJobs;
import io.dbjobs.testkit.DbServer;
import io.dbjobs.testkit.MariaDbCluster;
import io.dbjobs.testkit.TestKeys;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agent against a real primary and a real read-only replica. */
class AgentJobsIT {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static MariaDbCluster cluster;
  private static AgentFixture primary;
  private static AgentFixture replica;
  @TempDir static Path dir;

  @BeforeAll
  static void startCluster() throws Exception {
    cluster = MariaDbCluster.start("agentjobs", 2);
    cluster
        .primary()
        .execute(
            "CREATE DATABASE shop",
            "CREATE TABLE shop.orders (id INT PRIMARY KEY AUTO_INCREMENT, note VARCHAR(100)) ENGINE=InnoDB",
            "INSERT INTO shop.orders (note) VALUES ('a'),('b'),('c')",
            "CREATE TABLE shop.legacy (id INT PRIMARY KEY) ENGINE=Aria");
    cluster.awaitReplication(WAIT);
    primary =
        new AgentFixture(
            cluster.primary(), java.nio.file.Files.createDirectories(dir.resolve("p")));
    replica =
        new AgentFixture(
            cluster.replicas().get(0), java.nio.file.Files.createDirectories(dir.resolve("r")));
  }

  @AfterAll
  static void stopCluster() {
    if (primary != null) {
      primary.close();
    }
    if (replica != null) {
      replica.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  private Agent agent;

  @AfterEach
  void stopAgent() {
    if (agent != null) {
      agent.stop("test over");
    }
  }

  @Test
  void optimizesEveryUserTableWithoutWritingTheBinlog() {
    agent = primary.startAgent("");
    String binlogBefore = cluster.primary().value("SELECT @@gtid_binlog_pos");
    long id = primary.submit(Task.OPTIMIZE, Map.of());
    Job done = primary.await(id, JobState.SUCCEEDED, WAIT);
    assertThat(done.result())
        .contains("optimize done on 2 tables")
        .contains("not written to the binlog");
    assertThat(done.leaseOwner()).isEqualTo(agent.owner());
    assertThat(done.attempts()).isEqualTo(1);
    assertThat(done.started()).isNotNull();
    assertThat(done.ended()).isAfterOrEqualTo(done.started());
    assertThat(cluster.primary().value("SELECT @@gtid_binlog_pos")).isEqualTo(binlogBefore);
  }

  @Test
  void analyzesOnlyTheNamedTablesOnAReadOnlyReplica() {
    assertThat(cluster.replicas().get(0).value("SELECT @@read_only")).isEqualTo("1");
    agent = replica.startAgent("");
    long id = replica.submit(Task.OPTIMIZE, Map.of("mode", "analyze", "tables", "shop.orders"));
    Job done = replica.await(id, JobState.SUCCEEDED, WAIT);
    assertThat(done.result()).contains("analyze done on 1 tables");
    assertThat(done.bytesTotal()).isPositive();
    assertThat(done.bytesDone()).isEqualTo(done.bytesTotal());
  }

  @Test
  void failsOptimizeOfATableThatDoesNotExist() {
    agent = primary.startAgent("");
    long id = primary.submit(Task.OPTIMIZE, Map.of("tables", "shop.nope"));
    Job failed = primary.await(id, JobState.FAILED, WAIT);
    assertThat(failed.errorCode()).isEqualTo("BAD_PARAMETER");
    assertThat(failed.result()).contains("shop.nope").contains("matches no base table");
  }

  @Test
  void failsUnknownTaskNamingTheKnownTasks() throws Exception {
    agent = primary.startAgent("");
    long id = insertRaw(primary, "flashbackmariadbackup", "{}");
    Job failed = primary.await(id, JobState.FAILED, WAIT);
    assertThat(failed.errorCode()).isEqualTo("UNKNOWN_TASK");
    assertThat(failed.result())
        .contains("unknown task 'flashbackmariadbackup'")
        .contains("known tasks: backup-physical")
        .contains("optimize");
  }

  @Test
  void failsJobWithMalformedOrUnknownParameters() throws Exception {
    agent = primary.startAgent("");
    long bad = insertRaw(primary, "optimize", "{not json");
    long unknown = insertRaw(primary, "optimize", "{\"tabels\":\"shop.*\"}");
    long wrongValue = insertRaw(primary, "optimize", "{\"mode\":\"defrag\"}");
    assertThat(primary.await(bad, JobState.FAILED, WAIT).result())
        .contains("params column is not a JSON object");
    assertThat(primary.await(unknown, JobState.FAILED, WAIT).result())
        .contains("unknown parameter 'tabels'")
        .contains("known parameters: tables, mode");
    assertThat(primary.await(wrongValue, JobState.FAILED, WAIT).result())
        .contains("'mode'='defrag' is not one of optimize, analyze");
  }

  @Test
  void cancelsAQueuedJobBeforeAnyAgentClaimsIt() {
    long id = primary.submit(Task.OPTIMIZE, Map.of());
    assertThat(primary.jobs.cancel(id, "test")).isEqualTo(ManagerJobs.CancelResult.CANCELLED);
    agent = primary.startAgent("");
    long later = primary.submit(Task.OPTIMIZE, Map.of("mode", "analyze"));
    primary.await(later, JobState.SUCCEEDED, WAIT);
    Job cancelled = primary.job(id);
    assertThat(cancelled.state()).isEqualTo(JobState.CANCELLED);
    assertThat(cancelled.attempts()).isZero();
    assertThat(cancelled.leaseOwner()).isNull();
    assertThat(primary.jobs.cancel(id, "test")).isEqualTo(ManagerJobs.CancelResult.ALREADY_FINAL);
  }

  @Test
  void cancelsARunningJobAndKillsItsTool() throws Exception {
    Path marker = dir.resolve("sleeper-" + UUID.randomUUID());
    agent =
        primary.startAgent(
            "service:\n  stop: \"echo $$ > " + marker + "; exec sleep 120\"\n  timeout: 5m\n");
    long id = primary.submit(Task.STOP, Map.of());
    primary.await(id, JobState.RUNNING, WAIT);
    io.dbjobs.testkit.Waits.until(
        "the stop command to start", WAIT, () -> java.nio.file.Files.exists(marker));
    long pid = Long.parseLong(java.nio.file.Files.readString(marker).trim());
    assertThat(primary.jobs.cancel(id, "test (why: a reason\non two lines)"))
        .isEqualTo(ManagerJobs.CancelResult.REQUESTED);
    Job cancelled = primary.await(id, JobState.CANCELLED, WAIT);
    assertThat(cancelled.errorCode()).isEqualTo("CANCELLED");
    // who asked and why, as one line
    assertThat(cancelled.result())
        .contains("cancelled on request")
        .contains("(cancel requested by test (why: a reason on two lines))");
    assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    assertThat(cluster.primary().answers()).isTrue();
  }

  @Test
  void aSecondSubmitWithTheSameKeyIsTheSameJob() {
    String key = "nightly-optimize-" + UUID.randomUUID();
    TestJobs.Inserted first = primary.jobs.insert(NewJob.of(Task.OPTIMIZE, Map.of(), key, "test"));
    TestJobs.Inserted second = primary.jobs.insert(NewJob.of(Task.OPTIMIZE, Map.of(), key, "test"));
    assertThat(first.created()).isTrue();
    assertThat(second.created()).isFalse();
    assertThat(second.id()).isEqualTo(first.id());
    Assertions.assertThatThrownBy(
            () ->
                primary.jobs.insert(
                    NewJob.of(Task.OPTIMIZE, Map.of("mode", "analyze"), key, "test")))
        .isInstanceOf(DbJobsException.class)
        .satisfies(
            e -> assertThat(((DbJobsException) e).code()).isEqualTo(ErrorCode.IDEMPOTENCY_CONFLICT))
        .hasMessageContaining("already used")
        .hasMessageContaining("job " + first.id());
    primary.jobs.cancel(first.id(), "test");
  }

  @Test
  void jobRowsWrittenOnThePrimaryNeverReachTheReplicaOrTheBinlog() {
    DbServer p = cluster.primary();
    DbServer r = cluster.replicas().get(0);
    agent = primary.startAgent("");
    long id = primary.submit(Task.OPTIMIZE, Map.of("mode", "analyze"));
    primary.await(id, JobState.SUCCEEDED, WAIT); // claim, heartbeats, outcome: all writes
    primary.jobs.cancel(primary.submit(Task.OPTIMIZE, Map.of()), "test");
    // a replicated marker proves the replica applied everything the primary logged before it
    p.execute(
        "CREATE TABLE IF NOT EXISTS shop.marker (id INT PRIMARY KEY)",
        "REPLACE INTO shop.marker VALUES (1)");
    cluster.awaitReplication(WAIT);
    assertThat(r.value("SELECT COUNT(*) FROM shop.marker")).isEqualTo("1");
    assertThat(r.value("SELECT COUNT(*) FROM replication_manager_schema.jobs WHERE id=" + id))
        .isEqualTo("0");
    for (String file : p.column("SHOW BINARY LOGS")) {
      assertThat(binlogStatements(p, file))
          .as("events in %s", file)
          .isNotEmpty()
          .noneMatch(s -> s.contains("replication_manager_schema"));
    }
  }

  private static List<String> binlogStatements(DbServer s, String file) {
    try (Connection c = s.connect();
        var st = c.createStatement();
        var rs = st.executeQuery("SHOW BINLOG EVENTS IN '" + file + "'")) {
      List<String> out = new java.util.ArrayList<>();
      while (rs.next()) {
        out.add(rs.getString("Info"));
      }
      return out;
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * A row written straight into the table, sealed as the manager would seal it (a newer manager's
   * task, a row the manager's own validation would not have let through).
   */
  private static long insertRaw(AgentFixture f, String task, String params) throws Exception {
    JobSealer sealer =
        new JobSealer(
            KeyRing.load(TestKeys.managerFile(f.server.name()), f.server.name()),
            Duration.ofHours(1),
            Clock.systemUTC());
    String key = UUID.randomUUID().toString();
    // in one transaction, as the manager does: no agent sees the row before its seal
    try (Connection c = f.server.connect()) {
      c.createStatement().execute("SET SESSION sql_log_bin=0");
      c.setAutoCommit(false);
      long id;
      try (PreparedStatement ps =
          c.prepareStatement(
              "INSERT INTO replication_manager_schema.jobs (task, idempotency_key, params) VALUES (?,?,?)",
              java.sql.Statement.RETURN_GENERATED_KEYS)) {
        ps.setString(1, task);
        ps.setString(2, key);
        ps.setString(3, params);
        ps.executeUpdate();
        var keys = ps.getGeneratedKeys();
        keys.next();
        id = keys.getLong(1);
      }
      String seal =
          sealer
              .seal(
                  new SealedFields(
                      f.server.name(), id, key, task, params, "", 0, "", "", sealer.expiry()))
              .format();
      try (PreparedStatement ps =
          c.prepareStatement("UPDATE replication_manager_schema.jobs SET seal=? WHERE id=?")) {
        ps.setString(1, seal);
        ps.setLong(2, id);
        ps.executeUpdate();
      }
      c.commit();
      return id;
    }
  }

  /** A row written straight into the table by someone who is not the manager. */
  private static long insertUnsealed(AgentFixture f, String task, String params) throws Exception {
    try (Connection c = f.server.connect()) {
      c.createStatement().execute("SET SESSION sql_log_bin=0");
      try (PreparedStatement ps =
          c.prepareStatement(
              "INSERT INTO replication_manager_schema.jobs (task, idempotency_key, params) VALUES (?,?,?)",
              java.sql.Statement.RETURN_GENERATED_KEYS)) {
        ps.setString(1, task);
        ps.setString(2, UUID.randomUUID().toString());
        ps.setString(3, params);
        ps.executeUpdate();
        var keys = ps.getGeneratedKeys();
        keys.next();
        return keys.getLong(1);
      }
    }
  }

  @Test
  void refusesARowTheManagerDidNotSealAndDoesNothingElse() throws Exception {
    agent = primary.startAgent("");
    long id = insertUnsealed(primary, "optimize", "{}");
    Job refused = primary.await(id, JobState.FAILED, WAIT);
    assertThat(refused.errorCode()).isEqualTo("UNAUTHENTICATED_JOB");
    assertThat(refused.result())
        .contains("refused")
        .contains("no seal")
        .contains("Nothing was done");
    assertThat(refused.phase()).isEqualTo("refused");
  }
}
