package io.dbjobs.common.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileSinkTest {
  @TempDir Path dir;

  @Test
  void writesToAPartialFileAndRenamesItOnFinish() throws Exception {
    Path target = dir.resolve("backup.xbstream");
    FileSink sink = FileSink.open(target);

    sink.write(ByteBuffer.wrap("hello ".getBytes(StandardCharsets.US_ASCII)));
    sink.write(ByteBuffer.wrap("world".getBytes(StandardCharsets.US_ASCII)));
    assertThat(target).doesNotExist();
    assertThat(FileSink.partialOf(target)).hasContent("hello world");

    String message = sink.finish(Map.of(), 11, "abc");

    assertThat(target).hasContent("hello world");
    assertThat(FileSink.partialOf(target)).doesNotExist();
    assertThat(message).isEqualTo(target + " (11 B, sha256 abc)");
  }

  @Test
  void abortDeletesThePartialFile() throws Exception {
    Path target = dir.resolve("dump.sql");
    FileSink sink = FileSink.open(target);
    sink.write(ByteBuffer.wrap(new byte[1000]));

    sink.abort("digest mismatch");
    sink.abort("called twice");

    assertThat(target).doesNotExist();
    assertThat(FileSink.partialOf(target)).doesNotExist();
  }

  @Test
  void refusesToOverwriteAnExistingTarget() throws Exception {
    Path target = dir.resolve("exists");
    Files.writeString(target, "keep me");

    assertThatThrownBy(() -> FileSink.open(target))
        .isInstanceOf(DbJobsException.class)
        .hasMessage("refusing to overwrite " + target + ": it already exists");
    assertThat(target).hasContent("keep me");
  }

  @Test
  void replacesAStalePartialFileFromACrash() throws Exception {
    Path target = dir.resolve("b");
    Files.writeString(FileSink.partialOf(target), "stale bytes from a crash");
    FileSink sink = FileSink.open(target);

    sink.write(ByteBuffer.wrap(new byte[] {1, 2, 3}));
    sink.finish(Map.of(), 3, "x");

    assertThat(Files.readAllBytes(target)).containsExactly(1, 2, 3);
  }

  @Test
  void refusesToFinishWhenTheSizeDiffers() throws Exception {
    Path target = dir.resolve("c");
    FileSink sink = FileSink.open(target);
    sink.write(ByteBuffer.wrap(new byte[10]));

    assertThatThrownBy(() -> sink.finish(Map.of(), 11, "x"))
        .hasMessageContaining("holds 10 bytes, the stream had 11 bytes");
    sink.abort("size mismatch");
    assertThat(target).doesNotExist();
  }

  @Test
  void namesThePathWhenItCannotCreateTheFile() {
    Path target = dir.resolve("missing-dir").resolve("x");

    assertThatThrownBy(() -> FileSink.open(target))
        .satisfies(e -> assertThat(((DbJobsException) e).code()).isEqualTo(ErrorCode.SINK_FAILED))
        .hasMessageContaining("cannot create " + FileSink.partialOf(target));
  }

  @Test
  void reportsAFullDiskAsDiskFull() {
    DbJobsException e =
        FileSink.failure(
            "writing /var/backups/x.partial failed after 812 MiB",
            new IOException("No space left on device"));

    assertThat(e.code()).isEqualTo(ErrorCode.DISK_FULL);
    assertThat(e)
        .hasMessage(
            "writing /var/backups/x.partial failed after 812 MiB: No space left on device (the"
                + " disk is full: free space and retry)");
    assertThat(FileSink.failure("x", new IOException("Input/output error")).code())
        .isEqualTo(ErrorCode.SINK_FAILED);
  }
}
