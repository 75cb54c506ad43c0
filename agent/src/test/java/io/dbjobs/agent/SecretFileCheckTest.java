package io.dbjobs.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalLookupService;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code dbjobs-agent --check} (and start) refuses a secret file the database server's OS user can
 * read. The server's user is played by {@code nobody}, the file given to it with chown (root only).
 */
class SecretFileCheckTest {
  @TempDir Path dir;

  private record Result(int exit, String out) {}

  private Result check(Path config) {
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    try (PrintStream p = new PrintStream(buf, true, StandardCharsets.UTF_8)) {
      System.setOut(p);
      System.setErr(p);
      int exit = AgentMain.run("--config", config.toString(), "--check");
      return new Result(exit, buf.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
  }

  private Path config(Path secret) throws Exception {
    return Files.writeString(
        dir.resolve("agent.yml"),
        "node: db1\n"
            + "database: {host: 127.0.0.1, port: 1, password: {file: "
            + secret
            + "}, connectTimeout: 200ms}\n"
            + "http: {port: 0}\n"
            + "security: {databaseServerUser: nobody, keyFile: "
            + io.dbjobs.testkit.TestKeys.agentFile("db1")
            + "}\n");
  }

  @Test
  void refusesASecretFileTheDatabaseServersUserOwns() throws Exception {
    Assumptions.assumeTrue(
        "root".equals(System.getProperty("user.name")), "giving a file to nobody takes root");
    Path secret = Files.writeString(dir.resolve("agent.password"), "pw");
    UserPrincipalLookupService users = dir.getFileSystem().getUserPrincipalLookupService();
    Files.setOwner(secret, users.lookupPrincipalByName("nobody"));
    Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("r--------"));
    Result r = check(config(secret));
    assertThat(r.exit()).as(r.out()).isEqualTo(3);
    assertThat(r.out())
        .contains("REFUSE: secret file " + secret)
        .contains("is readable by nobody, the database server's user (owns it)")
        .contains("chmod 600 " + secret)
        .doesNotContain("pw\n");
  }

  @Test
  void acceptsASecretFileOnlyTheAgentReads() throws Exception {
    Path secret = Files.writeString(dir.resolve("agent.password"), "pw");
    Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
    Result r = check(config(secret));
    assertThat(r.out()).contains("OK: secret file " + secret).contains("not readable by nobody");
    // the check passed; the database on port 1 does not answer
    assertThat(r.exit()).as(r.out()).isEqualTo(4);
  }
}
