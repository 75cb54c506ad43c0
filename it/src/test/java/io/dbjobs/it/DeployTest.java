package io.dbjobs.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbjobs.agent.AgentConfig;
import io.dbjobs.manager.config.ManagerConfig;
import io.dbjobs.manager.config.ScheduleConfig;
import io.dbjobs.testkit.ConfigFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * deploy/: the systemd units verify, the example configs are valid and tell the truth, install.sh
 * is idempotent.
 */
class DeployTest {
  private static final Pattern COMMENTED_KEY = Pattern.compile("(?m)^(\\s{2,})#( +)(?=[A-Za-z]+:)");
  @TempDir Path tmp;

  static Path deploy() {
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      if (Files.isDirectory(p.resolve("deploy/systemd"))) {
        return p.resolve("deploy");
      }
    }
    throw new IllegalStateException("deploy/ not found above " + Path.of("").toAbsolutePath());
  }

  record Run(int exit, String out) {}

  static Run run(Path dir, String... cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    return new Run(p.exitValue(), out);
  }

  @Test
  void theUnitsPassSystemdAnalyzeVerify() throws Exception {
    Run r = run(deploy(), "sh", deploy().resolve("verify-units.sh").toString());
    Assumptions.assumeTrue(r.exit() != 77, r.out().strip());
    assertThat(r.exit()).as(r.out()).isZero();
    assertThat(r.out()).contains("ok: dbjobs.service").contains("ok: dbjobs-agent.service");
  }

  @Test
  void aUnitWithAMistakeFailsTheCheck() throws Exception {
    String unit = Files.readString(deploy().resolve("systemd/dbjobs.service"));
    Path broken =
        ConfigFiles.write(
            tmp.resolve("dbjobs.service"),
            unit.replace("Restart=on-failure", "Restart=on-failure\nRestartSecs=5"));
    Run r = run(deploy(), "sh", deploy().resolve("verify-units.sh").toString(), broken.toString());
    Assumptions.assumeTrue(r.exit() != 77, r.out().strip());
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.out()).contains("FAIL: dbjobs.service").contains("RestartSecs");
  }

  @Test
  void theUnitsRunAsTheirUsersAndStopCleanlyOnSigterm() throws Exception {
    String agent = Files.readString(deploy().resolve("systemd/dbjobs-agent.service"));
    String manager = Files.readString(deploy().resolve("systemd/dbjobs.service"));
    for (String u : List.of(agent, manager)) {
      assertThat(u)
          .contains("Restart=on-failure")
          .contains("SuccessExitStatus=143")
          .contains("NoNewPrivileges=yes")
          .contains("ProtectSystem=strict")
          .contains("ProtectHome=yes")
          .contains("PrivateTmp=yes");
    }
    // its own user: the database server's user must not read the agent's keys and passwords
    assertThat(agent)
        .contains("User=dbjobs-agent")
        .contains("SupplementaryGroups=mysql")
        .contains("AmbientCapabilities=CAP_DAC_OVERRIDE CAP_FOWNER CAP_CHOWN")
        .contains("ReadWritePaths=/var/lib/mysql");
    assertThat(manager).contains("User=dbjobs").contains("StateDirectory=dbjobs");
  }

  /** The example with its /etc/dbjobs secrets replaced by real 0600 files in {@code tmp}. */
  private String example(String name) throws IOException {
    Path etc = tmp.resolve("etc");
    for (String s :
        List.of(
            "agent.password",
            "agent.token",
            "api.token",
            "manager.password",
            "repl.password",
            "repl-west.password",
            "scheduler.password")) {
      ConfigFiles.secret(etc, s, "secret-" + s);
    }
    // real PEM files where the examples name them (the commented TLS keys are tested active too)
    io.dbjobs.testkit.TestPki pki =
        io.dbjobs.testkit.TestPki.generate(Files.createDirectories(etc.resolve("pki")));
    Path tls = Files.createDirectories(etc.resolve("tls"));
    for (String who : List.of("agent", "manager")) {
      Files.copy(
          pki.cert("receiver"),
          tls.resolve(who + ".crt"),
          java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      Files.copy(
          pki.key("receiver"),
          tls.resolve(who + ".key"),
          java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
    Files.copy(pki.ca(), tls.resolve("ca.crt"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    return Files.readString(deploy().resolve(name)).replace("/etc/dbjobs/", etc + "/");
  }

  /** The example with every commented-out key ({@code # key: value}) made active. */
  private static String uncomment(String yaml) {
    return COMMENTED_KEY.matcher(yaml).replaceAll(m -> m.group(1) + m.group(2).substring(1));
  }

  @Test
  void theExampleAgentYmlIsValidAndItsDefaultsAreTheDefaults() throws Exception {
    String yaml = example("agent.yml");
    AgentConfig ex = AgentConfig.fromYaml(yaml, "agent.yml", n -> null, tmp);
    AgentConfig dflt =
        AgentConfig.fromYaml(
            "node: db1\nhttp: {token: {file: " + tmp.resolve("etc/agent.token") + "}}\n",
            "minimal.yml",
            n -> null,
            tmp);
    assertThat(ex.jobs()).isEqualTo(dflt.jobs());
    assertThat(ex.stream()).isEqualTo(dflt.stream());
    assertThat(ex.tools()).isEqualTo(dflt.tools());
    assertThat(ex.service()).isEqualTo(dflt.service());
    assertThat(ex.connectTimeout()).isEqualTo(dflt.connectTimeout());
    assertThat(ex.database().host()).isEqualTo(dflt.database().host());
    assertThat(ex.database().port()).isEqualTo(dflt.database().port());
    assertThat(ex.database().user()).isEqualTo(dflt.database().user());
    assertThat(ex.http().bind()).isEqualTo(dflt.http().bind());
    assertThat(ex.http().port()).isEqualTo(dflt.http().port());
    assertThat(ex.http().limits()).isEqualTo(dflt.http().limits());
    assertThat(ex.reseed().keepOldDatadir()).isEqualTo(dflt.reseed().keepOldDatadir());
    assertThat(ex.reseed().replicationUser()).isEqualTo(dflt.reseed().replicationUser());
    assertThat(ex.reseed().catchUpTimeout()).isEqualTo(dflt.reseed().catchUpTimeout());
    // the keys commented out are valid keys too
    // (the MySQL tools are not installed here; a path set explicitly must exist)
    String active =
        uncomment(yaml)
            .replace("/usr/bin/xtrabackup", "/bin/true")
            .replace("/usr/bin/mysqldump", "/bin/true");
    AgentConfig all = AgentConfig.fromYaml(active, "all.yml", n -> null, tmp);
    assertThat(all.database().socket()).isEqualTo(Path.of("/run/mysqld/mysqld.sock"));
  }

  @Test
  void theExampleManagerYmlIsValidAndItsDefaultsAreTheDefaults() throws Exception {
    String yaml = example("manager.yml");
    ManagerConfig ex = ManagerConfig.fromYaml(yaml, "manager.yml", n -> null, tmp);
    ManagerConfig dflt =
        ManagerConfig.fromYaml(
            "clusters: [{name: prod, nodes: [{name: db1, host: h}]}]\n",
            "minimal.yml",
            n -> null,
            tmp);
    assertThat(ex.connectTimeout()).isEqualTo(dflt.connectTimeout());
    assertThat(ex.catalogDir()).isEqualTo(dflt.catalogDir());
    assertThat(ex.api().url()).isEqualTo(dflt.api().url());
    assertThat(ex.api().bind()).isEqualTo(dflt.api().bind());
    assertThat(ex.api().port()).isEqualTo(dflt.api().port());
    assertThat(ex.api().limits()).isEqualTo(dflt.api().limits());
    assertThat(ex.watchdog()).isEqualTo(dflt.watchdog());
    assertThat(ex.retention()).isEqualTo(dflt.retention());
    assertThat(ex.receiver().port())
        .isEqualTo(dflt.receiver().port())
        .isNotEqualTo(dflt.api().port());
    assertThat(ex.receiver().bind()).isEqualTo(dflt.receiver().bind());
    assertThat(ex.receiver().streamOptions().idleTimeout())
        .isEqualTo(dflt.receiver().streamOptions().idleTimeout());
    assertThat(ex.scheduler()).isEqualTo(dflt.scheduler());
    assertThat(ex.node("db1").database().port()).isEqualTo(dflt.node("db1").database().port());
    assertThat(ex.node("db1").database().user()).isEqualTo(dflt.node("db1").database().user());
    assertThat(ex.node("db1").agentPort()).isEqualTo(dflt.node("db1").agentPort());
    assertThat(ex.node("db1").streamPort()).isEqualTo(dflt.node("db1").streamPort());
    assertThat(ex.schedules("prod").get(0)).isEqualTo(dflt.schedules("prod").get(0));
    assertThat(ex.schedules("prod").get(0))
        .isEqualTo(ScheduleConfig.defaultFor("prod", dflt.scheduler().timeZone()));
    assertThat(ex.schedules("prod")).hasSize(4);
    assertThat(ex.cluster("prod").health()).isEqualTo(dflt.cluster("prod").health());

    String all = uncomment(yaml);
    ManagerConfig everything = ManagerConfig.fromYaml(all, "all.yml", n -> null, tmp);
    assertThat(everything.api().url()).isEqualTo("http://127.0.0.1:4446");
    assertThat(everything.scheduler().timeZone().getId()).isEqualTo("Europe/Paris");
    ManagerConfig jdbc =
        ManagerConfig.fromYaml(
            all.replace("store: ram ", "store: jdbc"), "jdbc.yml", n -> null, tmp);
    assertThat(jdbc.scheduler().jdbc().url())
        .isEqualTo("jdbc:mysql://db-admin:3306/dbjobs_scheduler");
    assertThat(jdbc.scheduler().jdbc().checkinInterval())
        .isEqualTo(java.time.Duration.ofMillis(7500));
  }

  @Test
  void installIsIdempotentAndNeverOverwritesConfigsOrSecrets() throws Exception {
    // a copy of the repository's deploy/ and sql/ with stand-in jars
    Path repo = tmp.resolve("repo");
    copy(deploy(), repo.resolve("deploy"));
    copy(deploy().resolveSibling("sql"), repo.resolve("sql"));
    Path managerJar = ConfigFiles.write(repo.resolve("manager/target/dbjobs.jar"), "manager v1");
    ConfigFiles.write(repo.resolve("agent/target/dbjobs-agent.jar"), "agent v1");
    Path root = tmp.resolve("root");
    String install = repo.resolve("deploy/install.sh").toString();

    Run first = run(repo, "sh", install, "--root", root.toString());
    assertThat(first.exit()).as(first.out()).isZero();
    assertThat(first.out())
        .contains("generated " + root + "/etc/dbjobs/api.token")
        .contains("GRANT SELECT, INSERT, UPDATE, DELETE ON replication_manager_schema.*")
        .contains("systemctl enable --now dbjobs");
    Path etc = root.resolve("etc/dbjobs");
    assertThat(mode(etc.resolve("api.token"))).isEqualTo("rw-r-----");
    assertThat(mode(etc.resolve("manager.yml"))).isEqualTo("rw-r-----");
    assertThat(mode(root.resolve("usr/local/bin/dbjobs"))).isEqualTo("rwxr-xr-x");
    assertThat(root.resolve("etc/systemd/system/dbjobs.service")).exists();
    assertThat(root.resolve("etc/systemd/system/dbjobs-agent.service")).exists();
    assertThat(root.resolve("etc/polkit-1/rules.d/60-dbjobs-agent.rules")).exists();
    assertThat(Files.readString(etc.resolve("api.token")).strip()).hasSizeGreaterThanOrEqualTo(30);

    String token = Files.readString(etc.resolve("api.token"));
    Files.writeString(etc.resolve("manager.yml"), "# edited by the operator\n");
    Files.writeString(managerJar, "manager v2");
    Run second = run(repo, "sh", install, "--root", root.toString());
    assertThat(second.exit()).as(second.out()).isZero();
    assertThat(second.out())
        .doesNotContain("install.sh: generated")
        .contains("kept " + etc.resolve("api.token"));
    assertThat(Files.readString(etc.resolve("api.token"))).isEqualTo(token);
    assertThat(Files.readString(etc.resolve("manager.yml")))
        .isEqualTo("# edited by the operator\n");
    assertThat(Files.readString(root.resolve("usr/local/lib/dbjobs/dbjobs.jar")))
        .isEqualTo("manager v2");
  }

  @Test
  void installWithoutABuiltJarSaysHowToBuild() throws Exception {
    Path repo = tmp.resolve("repo");
    copy(deploy(), repo.resolve("deploy"));
    Run r =
        run(
            repo,
            "sh",
            repo.resolve("deploy/install.sh").toString(),
            "--agent",
            "--root",
            tmp.resolve("r").toString());
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.out()).contains("dbjobs-agent.jar is missing; build it first: mvn -B package");
  }

  private static String mode(Path p) throws IOException {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
  }

  private static void copy(Path from, Path to) throws IOException {
    List<Path> all = new ArrayList<>();
    try (var s = Files.walk(from)) {
      s.forEach(all::add);
    }
    for (Path p : all) {
      Path t = to.resolve(from.relativize(p).toString());
      if (Files.isDirectory(p)) {
        Files.createDirectories(t);
      } else {
        Files.copy(p, t, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
      }
    }
  }
}
