package io.dbjobs.agent.task.reseed;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.tool.RunningTool;
import io.dbjobs.common.tool.ToolCommand;
import io.dbjobs.common.tool.ToolResult;
import io.dbjobs.common.tool.ToolRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OrphanToolsTest {
  @TempDir Path dir;

  @Test
  void aFolderIsNamedAsAWholePathOrAParentNeverAsAPrefixOfAnotherName() {
    String f = "/var/lib/mysql.dbjobs-new-4";
    assertThat(OrphanTools.namesPath("--target-dir=/var/lib/mysql.dbjobs-new-4", f)).isTrue();
    assertThat(OrphanTools.namesPath("/var/lib/mysql.dbjobs-new-4", f)).isTrue();
    assertThat(OrphanTools.namesPath("/var/lib/mysql.dbjobs-new-4/ibdata1", f)).isTrue();
    assertThat(OrphanTools.namesPath("/var/lib/mysql.dbjobs-new-42", f)).isFalse();
    assertThat(OrphanTools.namesPath("/var/lib/mysql.dbjobs-new-42 /var/lib/mysql.dbjobs-new-4", f))
        .isTrue();
    assertThat(OrphanTools.namesPath("/var/lib/mysql", f)).isFalse();
  }

  @Test
  void killsARealProcessNamingTheFolderAndLeavesOthers() throws Exception {
    Path staging = dir.resolve("data.dbjobs-new-7");
    Path other = dir.resolve("data.dbjobs-new-77");
    ToolRunner runner = new ToolRunner();
    try (RunningTool named = sleeper(runner, staging);
        RunningTool notNamed = sleeper(runner, other)) {
      List<String> killed = OrphanTools.killNaming("job 7", List.of(staging));
      assertThat(killed).hasSize(1).allMatch(k -> k.startsWith(named.pid() + " "));
      assertThat(named.isAlive()).isFalse();
      assertThat(notNamed.isAlive()).isTrue();
    }
  }

  @Test
  void aToolThatSaysItsDiskIsFullFailsWithDiskFull() throws Exception {
    ToolRunner runner = new ToolRunner();
    try (RunningTool t =
        runner.start(
            ToolCommand.of(
                    "mbstream",
                    List.of(
                        "/bin/sh",
                        "-c",
                        "echo \"mbstream: Error writing file './big' (Errcode: 28 \\\"No space left"
                            + " on device\\\")\" >&2; exit 1"))
                .build(),
            line -> {})) {
      ToolResult r = t.waitFor(Duration.ofSeconds(30));
      assertThat(ProcessSink.failure(t, r, "extracting into /x").code())
          .isEqualTo(ErrorCode.DISK_FULL);
    }
    try (RunningTool t =
        runner.start(
            ToolCommand.of("mbstream", List.of("/bin/sh", "-c", "echo 'bad header' >&2; exit 1"))
                .build(),
            line -> {})) {
      ToolResult r = t.waitFor(Duration.ofSeconds(30));
      assertThat(ProcessSink.failure(t, r, "extracting into /x").code())
          .isEqualTo(ErrorCode.TOOL_FAILED);
    }
  }

  /** A process that runs until killed, with a file in {@code folder} as its argument. */
  private static RunningTool sleeper(ToolRunner runner, Path folder) throws Exception {
    Path file = Files.createDirectories(folder).resolve("ibdata1");
    Files.writeString(file, "x");
    return runner.start(
        ToolCommand.of("tail", List.of("tail", "-f", file.toString())).build(), line -> {});
  }
}
