package io.dbjobs.common.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigTreeTest {
  @TempDir Path dir;

  private static ConfigTree parse(String yaml, ConfigProblems p, Map<String, String> env) {
    return ConfigTree.parse(yaml, "test.yml", p, env::get, Path.of("/etc/dbjobs"));
  }

  @Test
  void collectsEveryProblemWithItsFullKeyAndFailsOnce() {
    ConfigProblems p = new ConfigProblems();
    ConfigTree t =
        parse(
            "database:\n  port: 99999\n  pasword: x\njobs:\n  pollInterval: fast\nnodes:\n  - {port: 0}\n",
            p,
            Map.of());
    ConfigTree db = t.child("database");
    db.integer("port", 3306, 1, 65535);
    t.child("jobs").duration("pollInterval", Duration.ofMillis(500), Duration.ofMillis(10));
    t.list("nodes").forEach(n -> n.integer("port", 3306, 1, 65535));
    db.secret("password", false);
    t.rejectUnknownKeys();
    assertThat(p.list())
        .containsExactly(
            "database.port: is 99999; must be between 1 and 65535",
            "jobs.pollInterval: 'fast' is not a duration (examples: 500ms, 30s, 5m, 2h)",
            "nodes[0].port: is 0; must be between 1 and 65535",
            "database.pasword: unknown key; did you mean 'password'? (known keys here: port, password)");
    assertThatThrownBy(() -> p.throwIfAny("agent.yml"))
        .isInstanceOf(DbJobsException.class)
        .hasMessageStartingWith("agent.yml has 4 problems:")
        .satisfies(
            e -> assertThat(((DbJobsException) e).code()).isEqualTo(ErrorCode.CONFIG_INVALID));
  }

  @Test
  void refusesALiteralSecretAndNeverEchoesIt() {
    ConfigProblems p = new ConfigProblems();
    parse("password: hunter2\n", p, Map.of()).secret("password", true);
    assertThat(p.list())
        .singleElement()
        .asString()
        .contains("must reference the secret")
        .doesNotContain("hunter2");
  }

  @Test
  void readsSecretsFromEnvironmentOrPrivateFile() throws Exception {
    Path f = dir.resolve("pw");
    Files.writeString(f, "s3cret\n");
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
    ConfigProblems p = new ConfigProblems();
    ConfigTree t =
        parse("a: {env: PW}\nb: {file: " + f + "}\nc: env:PW\n", p, Map.of("PW", "fromenv"));
    Secret a = t.secret("a", true);
    Secret b = t.secret("b", true);
    Secret c = t.secret("c", true);
    assertThat(p.list()).isEmpty();
    assertThat(a.reveal()).isEqualTo("fromenv");
    assertThat(b.reveal()).isEqualTo("s3cret");
    assertThat(c.reveal()).isEqualTo("fromenv");
    assertThat(a.toString()).isEqualTo("****(env:PW)").doesNotContain("fromenv");
  }

  @Test
  void aSecretFileKeepsItsSpacesAndLosesOnlyItsLastLineBreak() throws Exception {
    Path f = dir.resolve("pw-spaces");
    Files.writeString(f, " s3 cret \r\n");
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
    ConfigProblems p = new ConfigProblems();
    Secret s = parse("a: {file: " + f + "}\n", p, Map.of()).secret("a", true);
    assertThat(p.list()).isEmpty();
    assertThat(s.reveal()).isEqualTo(" s3 cret ");
  }

  @Test
  void refusesAWorldReadableSecretFileAndAMissingVariable() throws Exception {
    Path f = dir.resolve("pw");
    Files.writeString(f, "s3cret");
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
    ConfigProblems p = new ConfigProblems();
    ConfigTree t = parse("a: {file: " + f + "}\nb: {env: NOPE}\n", p, Map.of());
    t.secret("a", true);
    t.secret("b", true);
    assertThat(p.list())
        .containsExactly(
            "a: file " + f + " is readable by everyone; run: chmod 600 " + f,
            "b: environment variable NOPE is not set or empty");
  }

  @Test
  void reportsYamlSyntaxErrorsWithLineAndColumn() {
    assertThatThrownBy(() -> parse("a: [1, 2\nb: c\n", new ConfigProblems(), Map.of()))
        .isInstanceOf(DbJobsException.class)
        .hasMessageContaining("test.yml is not valid YAML at line");
  }

  @Test
  void resolvesRelativePathsAgainstTheConfigFolder() {
    ConfigProblems p = new ConfigProblems();
    ConfigTree t = parse("dir: data\nabs: /var/x\n", p, Map.of());
    assertThat(t.path("dir", null)).isEqualTo(Path.of("/etc/dbjobs/data"));
    assertThat(t.path("abs", null)).isEqualTo(Path.of("/var/x"));
  }

  @Test
  void readsCommandsAsArgvListsOrShellStrings() {
    ConfigProblems p = new ConfigProblems();
    ConfigTree t =
        parse(
            "a: [systemctl, stop, mariadb]\nb: \"systemctl stop mariadb && sleep 1\"\n",
            p,
            Map.of());
    assertThat(t.command("a")).containsExactly("systemctl", "stop", "mariadb");
    assertThat(t.command("b"))
        .containsExactly("/bin/sh", "-c", "systemctl stop mariadb && sleep 1");
    assertThat(t.command("c")).isNull();
  }
}
