package io.dbjobs.common.tool;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbjobs.common.config.DatabaseEndpoint;
import io.dbjobs.common.config.Secret;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DefaultsFileTest {
  @TempDir Path dir;

  @Test
  void writesThePasswordToAPrivateFileAndDeletesItOnClose() throws Exception {
    DatabaseEndpoint ep =
        new DatabaseEndpoint(
            "10.0.0.2", 3307, null, "dbjobs_agent", new Secret("p\"a#ss\\w", "test"));
    Path f;
    try (DefaultsFile d = DefaultsFile.write(dir, ep)) {
      f = d.path();
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f)))
          .isEqualTo("rw-------");
      assertThat(Files.readString(f))
          .contains(
              "[client]\nuser=\"dbjobs_agent\"\npassword='p\"a#ss\\\\w'\nhost=\"10.0.0.2\"\nport=3307\n");
      assertThat(d.defaultsFileOption()).isEqualTo("--defaults-file=" + f).doesNotContain("ss");
    }
    assertThat(f).doesNotExist();
  }

  @Test
  void aLineBreakInAPasswordCannotAddAnOption() throws Exception {
    DatabaseEndpoint ep =
        new DatabaseEndpoint(
            "10.0.0.2", 3307, null, "dbjobs_agent", new Secret("pw\nhost=evil\r\tx", "test"));
    try (DefaultsFile d = DefaultsFile.write(dir, ep)) {
      String text = Files.readString(d.path());
      assertThat(text).contains("password=\"pw\\nhost=evil\\r\\tx\"\n");
      assertThat(text.lines()).noneMatch(l -> l.startsWith("host=evil"));
    }
    DatabaseEndpoint nul =
        new DatabaseEndpoint("10.0.0.2", 3307, null, "u", new Secret("a\0b", "test"));
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> DefaultsFile.write(dir, nul))
        .hasMessageContaining("U+0000");
  }

  @Test
  void toolFailuresCarryExitCodeAndStderrTail() throws Exception {
    ToolRunner runner = new ToolRunner();
    ToolCommand cmd =
        ToolCommand.of(
                "fake-backup",
                java.util.List.of(
                    "/bin/sh", "-c", "echo starting >&2; echo 'disk on fire' >&2; exit 7"))
            .build();
    try (RunningTool t = runner.start(cmd, null)) {
      ToolResult r = t.waitFor(java.time.Duration.ofSeconds(10));
      assertThat(r.exitCode()).isEqualTo(7);
      assertThat(t.failure(r, "backup of db3").getMessage())
          .startsWith("backup of db3: fake-backup exited 7 after ")
          .endsWith("last stderr lines:\n  starting\n  disk on fire");
    }
  }

  @Test
  void aMissingToolIsNamedWithTheFix() {
    ToolCommand cmd =
        ToolCommand.of("mariadb-backup", java.util.List.of("/nope/mariadb-backup", "--backup"))
            .build();
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> new ToolRunner().start(cmd, null))
        .hasMessageContaining("mariadb-backup not found or not executable at /nope/mariadb-backup");
  }
}
