package io.dbjobs.common.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class StreamOptionsTest {
  @Test
  void hasTheDocumentedDefaults() {
    StreamOptions o = StreamOptions.defaults();

    assertThat(o.connectTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(o.handshakeTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(o.idleTimeout()).isEqualTo(Duration.ofSeconds(60));
    assertThat(o.jobTimeout()).isEqualTo(Duration.ofHours(24));
    assertThat(o.compression()).isEqualTo(Compression.NONE);
    assertThat(o.tls()).isNull();
    assertThat(o.chunkBytes()).isEqualTo(256 * 1024);
    assertThat(o.maxUnauthenticated()).isEqualTo(64);
    assertThat(o.maxUnauthenticatedPerAddress()).isEqualTo(8);
  }

  @Test
  void checksTheCapsOnUnauthenticatedConnections() {
    assertThat(StreamOptions.defaults().withMaxUnauthenticated(1, 1).maxUnauthenticated())
        .isEqualTo(1);
    assertThatThrownBy(() -> StreamOptions.defaults().withMaxUnauthenticated(0, 0))
        .satisfies(
            e -> assertThat(((DbJobsException) e).code()).isEqualTo(ErrorCode.CONFIG_INVALID))
        .hasMessage(
            "invalid stream options: maxUnauthenticated must be at least 1 (got 0);"
                + " maxUnauthenticatedPerAddress must be between 1 and maxUnauthenticated (0),"
                + " got 0");
    assertThatThrownBy(() -> StreamOptions.defaults().withMaxUnauthenticated(4, 5))
        .hasMessageContaining("maxUnauthenticatedPerAddress must be between 1 and");
  }

  @Test
  void reportsEveryProblemAtOnce() {
    assertThatThrownBy(
            () ->
                new StreamOptions(
                    Duration.ZERO,
                    null,
                    Duration.ofSeconds(-1),
                    Duration.ofHours(1),
                    null,
                    null,
                    1))
        .isInstanceOf(DbJobsException.class)
        .satisfies(
            e -> assertThat(((DbJobsException) e).code()).isEqualTo(ErrorCode.CONFIG_INVALID))
        .hasMessage(
            "invalid stream options: connectTimeout must be positive (got 0ms); handshakeTimeout"
                + " is missing; idleTimeout must be positive (got -1000ms); compression is missing"
                + " (use none, zstd or lz4); chunkBytes must be between 4096 and 1048576 (got 1)");
  }

  @Test
  void parsesCompressionNames() {
    assertThat(Compression.parse("ZSTD")).isEqualTo(Compression.ZSTD);
    assertThat(Compression.parse(" lz4 ")).isEqualTo(Compression.LZ4);
    assertThatThrownBy(() -> Compression.parse("gzip"))
        .hasMessage("'gzip' is not a stream compression (use none, zstd or lz4)");
  }
}
