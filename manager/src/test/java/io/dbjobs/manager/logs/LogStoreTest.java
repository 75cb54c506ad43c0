package io.dbjobs.manager.logs;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.luben.zstd.ZstdOutputStreamNoFinalizer;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogStoreTest {
  @TempDir Path dir;

  private LogCopy copy(String file, String compression) {
    return new LogCopy(
        1,
        "prod",
        "db2",
        "error",
        "20261123T050102Z",
        file,
        compression,
        0,
        "00",
        null,
        Instant.EPOCH,
        null,
        null,
        Map.of(),
        dir);
  }

  @Test
  void tailReadsTheLastLinesOfPlainAndZstdCopies() throws Exception {
    String text =
        IntStream.rangeClosed(1, 20_000)
            .mapToObj(i -> "line " + i + " " + "x".repeat(i % 50))
            .collect(Collectors.joining("\n", "", "\n"));
    Files.writeString(dir.resolve("a.log"), text);
    try (OutputStream z =
        new ZstdOutputStreamNoFinalizer(Files.newOutputStream(dir.resolve("a.log.zst")))) {
      z.write(text.getBytes(StandardCharsets.UTF_8));
    }
    List<String> plain = LogStore.tail(copy("a.log", "none"), 3);
    assertThat(plain).hasSize(3);
    assertThat(plain.get(0)).startsWith("line 19998 ");
    assertThat(plain.get(2)).startsWith("line 20000 ");
    assertThat(LogStore.tail(copy("a.log.zst", "zstd"), 3)).isEqualTo(plain);
    assertThat(LogStore.tail(copy("a.log", "none"), 50_000)).hasSize(20_000);
  }

  @Test
  void tailCopesWithNoFinalLineBreakAndEmptyFiles() throws Exception {
    Files.writeString(dir.resolve("b.log"), "one\ntwo\nthree");
    assertThat(LogStore.tail(copy("b.log", "none"), 2)).containsExactly("two", "three");
    Files.writeString(dir.resolve("c.log"), "");
    assertThat(LogStore.tail(copy("c.log", "none"), 2)).isEmpty();
  }
}
