package io.dbjobs.agent.task.logs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PendingLogsTest {
  @TempDir Path dir;

  @Test
  void rotatesTheLogToACopyNamedByTheJob() throws IOException {
    Path log = Files.writeString(dir.resolve("error.log"), "line 1\n");
    PendingLogs p = new PendingLogs(log);
    Path copy = p.rotate(42);
    assertThat(copy).isEqualTo(dir.resolve("error.log.dbjobs-42"));
    assertThat(log).doesNotExist();
    assertThat(copy).hasContent("line 1");
    Files.writeString(log, "line 2\n");
    Path again = p.rotate(42);
    assertThat(again.getFileName().toString()).startsWith("error.log.dbjobs-42-");
    assertThat(p.list()).containsExactlyInAnyOrder(copy, again);
  }

  @Test
  void listsPendingCopiesOldestFirstAndNothingElse() throws IOException {
    Path log = Files.writeString(dir.resolve("slow.log"), "current\n");
    Path newer = Files.writeString(dir.resolve("slow.log.dbjobs-9"), "b\n");
    Path older = Files.writeString(dir.resolve("slow.log.dbjobs-10"), "a\n");
    Files.setLastModifiedTime(older, FileTime.fromMillis(1_000_000));
    Files.setLastModifiedTime(newer, FileTime.fromMillis(2_000_000));
    Files.writeString(dir.resolve("slow.log.1"), "logrotate's\n");
    Files.writeString(dir.resolve("other.log.dbjobs-3"), "another log's\n");
    Files.createDirectory(dir.resolve("slow.log.dbjobs-dir"));
    PendingLogs p = new PendingLogs(log);
    assertThat(p.list()).containsExactly(older, newer);
  }

  @Test
  void undoesARotation() throws IOException {
    Path log = Files.writeString(dir.resolve("error.log"), "x\n");
    PendingLogs p = new PendingLogs(log);
    p.unrotate(p.rotate(1));
    assertThat(log).hasContent("x");
    assertThat(p.list()).isEmpty();
  }

  @Test
  void deletesSentCopies() throws IOException {
    Path log = dir.resolve("error.log");
    Path a = Files.writeString(dir.resolve("error.log.dbjobs-1"), "a\n");
    PendingLogs p = new PendingLogs(log);
    assertThat(p.delete(List.of(a, dir.resolve("error.log.dbjobs-gone")))).isEmpty();
    assertThat(a).doesNotExist();
  }

  @Test
  void concatenatesFilesInOrderWithinTheirLimits() throws IOException {
    Path a = Files.writeString(dir.resolve("a"), "first\n");
    Path b = Files.writeString(dir.resolve("b"), "");
    Path c = Files.writeString(dir.resolve("c"), "second and more\n");
    try (InputStream in =
        new ConcatenatedFiles(
            List.of(
                new ConcatenatedFiles.Part(a, -1),
                new ConcatenatedFiles.Part(b, -1),
                new ConcatenatedFiles.Part(c, 7)))) {
      assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("first\nsecond ");
    }
  }
}
