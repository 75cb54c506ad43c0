package io.dbjobs.common.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbjobs.common.config.SecretFileAccess.Verdict;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real files in a temp folder; the database server's user is played by this process' own user or by
 * a made-up one, with the groups the test gives it.
 */
class SecretFileAccessTest {
  @TempDir Path dir;
  private Path secret;
  private String me;
  private String myGroup;

  @BeforeEach
  void secretFile() throws Exception {
    secret = dir.resolve("agent.password");
    Files.writeString(secret, "pw");
    PosixFileAttributes a = Files.readAttributes(secret, PosixFileAttributes.class);
    me = a.owner().getName();
    myGroup = a.group().getName();
  }

  private static SecretFileAccess access(String server, String agent, Set<String> serverGroups) {
    return new SecretFileAccess(
        server, agent, u -> u.equals(server) ? Optional.of(serverGroups) : Optional.empty());
  }

  private void mode(String m) throws Exception {
    Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString(m));
  }

  @Test
  void refusesAFileReadableByEveryone() throws Exception {
    mode("rw-r--r--");
    SecretFileAccess.Finding f = access("mysql", "dbjobs", Set.of("mysql")).check(secret);
    assertThat(f.verdict()).isEqualTo(Verdict.REFUSE);
    assertThat(f.message()).contains("readable by everyone").contains("chmod o-r " + secret);
  }

  @Test
  void refusesAFileTheServersUserReadsThroughItsGroupWhenTheAgentIsSomeoneElse() throws Exception {
    mode("rw-r-----");
    SecretFileAccess.Finding f = access("dbserver", "dbjobs", Set.of(myGroup)).check(secret);
    assertThat(f.verdict()).isEqualTo(Verdict.REFUSE);
    assertThat(f.message())
        .contains("readable by dbserver, the database server's user")
        .contains("is in its group " + myGroup)
        .contains("chmod 600 " + secret);
  }

  @Test
  void refusesAFileOwnedByTheServersUser() throws Exception {
    mode("r--------");
    SecretFileAccess.Finding f = access(me, "dbjobs", Set.of()).check(secret);
    assertThat(f.verdict()).isEqualTo(Verdict.REFUSE);
    assertThat(f.message()).contains("owns it");
  }

  @Test
  void onlyWarnsWhenTheAgentRunsAsTheServersUserItself() throws Exception {
    mode("rw-------");
    SecretFileAccess.Finding f = access(me, me, Set.of(myGroup)).check(secret);
    assertThat(f.verdict()).isEqualTo(Verdict.WARN);
    assertThat(f.message()).contains("The agent runs as " + me + " too");
  }

  @Test
  void acceptsAFileTheServersUserCannotRead() throws Exception {
    mode("rw-r-----");
    assertThat(access("dbserver", me, Set.of("dbserver")).check(secret).verdict())
        .isEqualTo(Verdict.OK);
    mode("rw-------");
    assertThat(access("dbserver", me, Set.of(myGroup)).check(secret).verdict())
        .isEqualTo(Verdict.OK);
  }

  @Test
  void warnsWhenTheServersUserIsUnknownAndSkipsEnvironmentSecrets() throws Exception {
    mode("rw-------");
    List<SecretFileAccess.Finding> fs =
        access("mysql", me, Set.of())
            .check(
                java.util.Arrays.asList(
                    new Secret("x", "env:PW"), null, new Secret("pw", "file:" + secret)));
    assertThat(fs).hasSize(1);
    SecretFileAccess.Finding f =
        new SecretFileAccess("nosuchuser", me, u -> Optional.empty()).check(secret);
    assertThat(f.verdict()).isEqualTo(Verdict.WARN);
    assertThat(f.message()).contains("no OS user nosuchuser");
  }

  @Test
  void readsGroupsFromPasswdAndGroupLines() {
    assertThat(
            SecretFileAccess.groupsOf(
                "mysql",
                List.of("root:x:0:0::/root:/bin/sh", "mysql:x:105:110::/nonexistent:/bin/false"),
                List.of("root:x:0:", "mysql:x:110:", "backup:x:34:mysql,bob", "adm:x:4:bob")))
        .contains(Set.of("mysql", "backup"));
    assertThat(SecretFileAccess.groupsOf("nobody2", List.of(), List.of())).isEmpty();
  }
}
