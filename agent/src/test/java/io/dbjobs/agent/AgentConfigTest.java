package io.dbjobs.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.stream.Compression;
import io.dbjobs.common.stream.StreamOptions;
import io.dbjobs.testkit.TestKeys;
import io.dbjobs.testkit.TestPki;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentConfigTest {
  /** node db1 with its job key file, as installed by the manager's {@code dbjobs keys init}. */
  private static final String DB1 =
      "node: db1\nsecurity: {keyFile: " + TestKeys.agentFile("db1") + "}\n";

  @Test
  void anAgentWithoutItsJobKeyFileDoesNotStartAndSaysHowToMakeOne(@TempDir Path dir) {
    assertThatThrownBy(() -> new io.dbjobs.agent.loop.AgentKeys(dir.resolve("none.keys"), "db1"))
        .hasMessageContaining("the job key file " + dir.resolve("none.keys"))
        .hasMessageContaining("dbjobs keys init --node db1");
  }

  @Test
  void anAgentRefusesAJobKeyFileMadeForAnotherNode() {
    assertThatThrownBy(() -> new io.dbjobs.agent.loop.AgentKeys(TestKeys.agentFile("db9"), "db1"))
        .hasMessageContaining("holds the job keys of node db9, not of db1");
  }

  @Test
  void readsTheAllowListsOfPeers() {
    AgentConfig c =
        AgentFixture.parseYaml(
            "node: db1\nhttp: {port: 0}\n"
                + "security:\n  keyFile: "
                + TestKeys.agentFile("db1")
                + "\n  allowSendTo: [10.0.0.9:4447, manager.example]\n"
                + "  allowReplicateFrom: [10.0.0.1]\n");
    assertThat(c.security().allowSendTo()).containsExactly("10.0.0.9:4447", "manager.example");
    assertThat(c.security().allowReplicateFrom()).containsExactly("10.0.0.1");
  }

  @Test
  void minimalConfigGetsDocumentedDefaults() {
    AgentConfig c = AgentFixture.parseYaml(DB1 + "http: {port: 0}\n");
    assertThat(c.node()).isEqualTo("db1");
    assertThat(c.database().host()).isEqualTo("127.0.0.1");
    assertThat(c.database().port()).isEqualTo(3306);
    assertThat(c.database().user()).isEqualTo("dbjobs_agent");
    assertThat(c.jobs().pollInterval()).isEqualTo(Duration.ofMillis(500));
    assertThat(c.jobs().lease()).isEqualTo(Duration.ofSeconds(30));
    assertThat(c.jobs().maxParallel()).isEqualTo(2);
    assertThat(c.stream().port()).isEqualTo(4444);
    assertThat(c.workDir()).isEqualTo(Path.of("/var/lib/dbjobs"));
    assertThat(c.service().stop()).isEqualTo(List.of("systemctl", "stop", "mariadb"));
    assertThat(c.tools().mariadbBackup()).isEqualTo(Path.of("/usr/bin/mariadb-backup"));
  }

  @Test
  void reportsEveryProblemNamingItsKey() {
    assertThatThrownBy(
            () ->
                AgentFixture.parseYaml(
                    "database:\n  port: 0\n  password: hunter2\njobs:\n  pollIntervall: 1s\n  lease: 3s\n"
                        + "  heartbeat: 2s\nservice:\n  stop: []\n"))
        .isInstanceOf(DbJobsException.class)
        .satisfies(
            e -> assertThat(((DbJobsException) e).code()).isEqualTo(ErrorCode.CONFIG_INVALID))
        .hasMessageContaining("agent.yml has 7 problems:")
        .hasMessageContaining("node: is required")
        .hasMessageContaining("database.port: is 0; must be between 1 and 65535")
        .hasMessageContaining("database.password: must reference the secret")
        .hasMessageContaining(
            "jobs.heartbeat: is 2.0s but must be at most a third of jobs.lease (3.0s)")
        .hasMessageContaining("service.stop: must not be an empty list")
        .hasMessageContaining("http.token: is required")
        .hasMessageContaining("jobs.pollIntervall: unknown key; did you mean 'pollInterval'?")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("hunter2"));
  }

  @Test
  void aParallelDumpLoadsWithOneSessionPerCoreUnlessSet() {
    AgentConfig c = AgentFixture.parseYaml("node: db1\nhttp: {port: 0}\n");
    assertThat(c.reseed().loadThreads())
        .isEqualTo(Math.min(64, Runtime.getRuntime().availableProcessors()));
    assertThat(c.reseed().loadSessions()).isEqualTo(1);
    assertThat(
            AgentFixture.parseYaml("node: db1\nhttp: {port: 0}\nreseed: {loadThreads: 3}\n")
                .reseed()
                .loadThreads())
        .isEqualTo(3);
    assertThatThrownBy(
            () -> AgentFixture.parseYaml("node: db1\nhttp: {port: 0}\nreseed: {loadThreads: 0}\n"))
        .hasMessageContaining("reseed.loadThreads");
  }

  @Test
  void describesItselfWithoutSecrets() {
    AgentConfig c =
        AgentFixture.parseYaml(
            DB1 + "database: {socket: /run/mysqld/mysqld.sock}\nhttp: {port: 0}\n");
    assertThat(c.describe()).anyMatch(l -> l.contains("dbjobs_agent@/run/mysqld/mysqld.sock"));
    assertThat(c.describe()).anyMatch(l -> l.equals("http=off"));
  }

  @Test
  void streamAndToolSettingsHaveDocumentedDefaults() {
    AgentConfig c = AgentFixture.parseYaml(DB1 + "http: {port: 0}\n");
    assertThat(c.stream().tls()).isNull();
    assertThat(c.stream().connectTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(c.stream().handshakeTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(c.stream().idleTimeout()).isEqualTo(Duration.ofSeconds(60));
    assertThat(c.stream().jobTimeout()).isEqualTo(Duration.ofHours(24));
    assertThat(c.tools().xtrabackup()).isEqualTo(Path.of("/usr/bin/xtrabackup"));
    assertThat(c.tools().mysqldump()).isEqualTo(Path.of("/usr/bin/mysqldump"));
    StreamOptions o = c.stream().senderOptions(Compression.LZ4);
    assertThat(o.compression()).isEqualTo(Compression.LZ4);
    assertThat(o.tls()).isNull();
    assertThat(o.idleTimeout()).isEqualTo(Duration.ofSeconds(60));
  }

  @Test
  void readsStreamTimeoutsAndTls(@TempDir Path dir) {
    TestPki pki = TestPki.generate(dir);
    AgentConfig c =
        AgentFixture.parseYaml(
            DB1
                + "http: {port: 0}\nstream:\n  connectTimeout: 3s\n  idleTimeout: 2m\n"
                + "  jobTimeout: 36h\n  tls:\n    cert: "
                + pki.cert("sender")
                + "\n    key: "
                + pki.key("sender")
                + "\n    ca: "
                + pki.ca()
                + "\n");
    assertThat(c.stream().connectTimeout()).isEqualTo(Duration.ofSeconds(3));
    assertThat(c.stream().idleTimeout()).isEqualTo(Duration.ofMinutes(2));
    assertThat(c.stream().jobTimeout()).isEqualTo(Duration.ofHours(36));
    assertThat(c.stream().tls()).isNotNull();
    assertThat(c.stream().senderOptions(Compression.NONE).tls()).isSameAs(c.stream().tls());
    assertThat(c.describe()).anyMatch(l -> l.contains("tls=cert " + pki.cert("sender")));
  }

  @Test
  void reportsBadStreamAndToolSettingsNamingTheirKeys(@TempDir Path dir) {
    assertThatThrownBy(
            () ->
                AgentFixture.parseYaml(
                    DB1
                        + "http: {port: 0}\nstream:\n  idleTimeout: 10ms\n  tls:\n"
                        + "    cert: "
                        + dir.resolve("missing.pem")
                        + "\n    ca: "
                        + dir.resolve("ca.pem")
                        + "\ntools:\n  xtrabackup: /nonexistent/xtrabackup\n"))
        .isInstanceOf(DbJobsException.class)
        .hasMessageContaining("agent.yml has 3 problems:")
        .hasMessageContaining("stream.idleTimeout: is 10ms; must be at least 1.0s")
        .hasMessageContaining("stream.tls.key: is required with stream.tls")
        .hasMessageContaining(
            "tools.xtrabackup: is /nonexistent/xtrabackup, which is not an executable file");
    assertThatThrownBy(
            () ->
                AgentFixture.parseYaml(
                    DB1
                        + "http: {port: 0}\nstream:\n  tls:\n    cert: "
                        + dir.resolve("missing.pem")
                        + "\n    key: "
                        + dir.resolve("missing.key")
                        + "\n    ca: "
                        + dir.resolve("ca.pem")
                        + "\n"))
        .isInstanceOf(DbJobsException.class)
        .hasMessageContaining("stream.tls: TLS file " + dir.resolve("missing.pem"));
  }

  @Test
  void namesTheSettingOfABackupToolThatIsNotInstalled() {
    AgentConfig c = AgentFixture.parseYaml(DB1 + "http: {port: 0}\n");
    assertThat(c.tools().backupTools().all().stream().map(t -> t.location().configKey()).toList())
        .containsExactly(
            "tools.mariadbBackup", "tools.xtrabackup", "tools.mariadbDump", "tools.mysqldump");
  }
}
