package io.dbjobs.common.logical;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.luben.zstd.Zstd;
import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class PartContainerTest {
  /** What a reader saw: headers, each part's decompressed bytes, trailers and the manifest. */
  static final class Seen implements PartReader.Handler {
    final List<PartHeader> headers = new ArrayList<>();
    final Map<Integer, ByteArrayOutputStream> compressed = new HashMap<>();
    final List<PartTrailer> trailers = new ArrayList<>();
    DumpManifest manifest;

    @Override
    public void open(PartHeader h) {
      headers.add(h);
      compressed.put(h.id(), new ByteArrayOutputStream());
    }

    @Override
    public void data(PartHeader h, ByteBuffer b) {
      byte[] copy = new byte[b.remaining()];
      b.get(copy);
      compressed.get(h.id()).writeBytes(copy);
    }

    @Override
    public void close(PartHeader h, PartTrailer t) {
      trailers.add(t);
    }

    @Override
    public void end(DumpManifest m) {
      manifest = m;
    }

    String text(int id) {
      byte[] c = compressed.get(id).toByteArray();
      long size = Zstd.getFrameContentSize(c);
      byte[] out =
          size > 0
              ? Zstd.decompress(c, (int) size)
              : com.github.luben.zstd.Zstd.decompress(c, 1 << 20);
      return new String(out, StandardCharsets.UTF_8);
    }
  }

  static DumpManifest manifest(int parts) {
    return new DumpManifest(
        1,
        "0-1-5",
        "bin.000001",
        42L,
        "10.11.19-MariaDB",
        "mariadb",
        SnapshotLock.METHOD,
        3,
        7,
        2,
        Instant.EPOCH,
        Instant.EPOCH,
        parts,
        List.of(new TableSummary("db", "t", "InnoDB", 2, 2, true, false)),
        List.of());
  }

  /** Writes parts from two threads at once and reads the container in 7-byte pieces. */
  private static byte[] twoWritersContainer() throws Exception {
    PartWriter w = new PartWriter(1);
    CompletableFuture<byte[]> all =
        CompletableFuture.supplyAsync(
            () -> {
              try (InputStream in = w.stream()) {
                return in.readAllBytes();
              } catch (IOException e) {
                throw new RuntimeException(e);
              }
            });
    PartWriter.Part schema = w.openSchema();
    schema.write("{\"kind\":\"DATABASE\"}\n".getBytes(StandardCharsets.UTF_8));
    schema.finish(1);
    Thread other =
        new Thread(
            () -> {
              try {
                PartWriter.Part p = w.openRows("db", "t", 1, 2);
                for (int i = 0; i < 50_000; i++) {
                  p.write(("b" + i + "\n").getBytes(StandardCharsets.US_ASCII));
                }
                p.finish(50_000);
              } catch (IOException e) {
                throw new RuntimeException(e);
              }
            });
    other.start();
    PartWriter.Part p = w.openRows("db", "t", 0, 2);
    for (int i = 0; i < 50_000; i++) {
      p.write(("a" + i + "\n").getBytes(StandardCharsets.US_ASCII));
    }
    p.finish(50_000);
    other.join();
    w.end(manifest(w.parts()));
    return all.get();
  }

  @Test
  void readsBackInterleavedPartsWrittenByTwoThreadsWithTheirTrailersChecked() throws Exception {
    byte[] container = twoWritersContainer();
    Seen seen = new Seen();
    PartReader r = new PartReader(seen);
    for (int off = 0; off < container.length; off += 7) {
      r.feed(ByteBuffer.wrap(container, off, Math.min(7, container.length - off)));
    }
    r.finish();
    assertThat(seen.headers).hasSize(3);
    assertThat(seen.headers.get(0)).isEqualTo(PartHeader.schema(1));
    PartHeader rows = seen.headers.stream().filter(h -> h.chunk() == 1).findFirst().orElseThrow();
    assertThat(rows.schema()).isEqualTo("db");
    assertThat(rows.table()).isEqualTo("t");
    assertThat(rows.chunks()).isEqualTo(2);
    assertThat(seen.text(rows.id())).startsWith("b0\nb1\n").endsWith("b49999\n");
    assertThat(seen.trailers).allMatch(t -> t.sha256().length() == 64);
    assertThat(seen.manifest.gtid()).isEqualTo("0-1-5");
    assertThat(seen.manifest.tables()).hasSize(1);
  }

  @Test
  void refusesAContainerCutBeforeItsEnd() throws Exception {
    byte[] container = twoWritersContainer();
    PartReader r = new PartReader(new Seen());
    r.feed(ByteBuffer.wrap(container, 0, container.length - 10));
    assertThatThrownBy(r::finish)
        .isInstanceOf(DbJobsException.class)
        .hasMessageContaining("cut short");
  }

  @Test
  void refusesAPartWhoseBytesDoNotMatchItsTrailer() throws Exception {
    byte[] container = twoWritersContainer();
    // flip a byte inside the first DATA record's payload
    int at = indexOfRecord(container, PartFormat.DATA) + PartFormat.RECORD_HEADER_BYTES + 3;
    container[at] ^= 0x5a;
    PartReader r = new PartReader(new Seen());
    assertThatThrownBy(() -> r.feed(ByteBuffer.wrap(container)))
        .isInstanceOfSatisfying(
            DbJobsException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.DIGEST_MISMATCH));
  }

  @Test
  void refusesARecordLongerThanItsTypeAllowsBeforeBufferingIt() throws Exception {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.writeBytes(PartRecords.header());
    b.writeBytes(ByteBuffer.allocate(9).put(PartFormat.OPEN).putInt(1).putInt(1 << 30).array());
    PartReader r = new PartReader(new Seen());
    assertThatThrownBy(() -> r.feed(ByteBuffer.wrap(b.toByteArray())))
        .hasMessageContaining("announces 1073741824 bytes");
  }

  @Test
  void refusesWhatIsNotAPartContainer() {
    PartReader r = new PartReader(new Seen());
    assertThatThrownBy(
            () ->
                r.feed(
                    ByteBuffer.wrap("-- MariaDB dump 10.19\n".getBytes(StandardCharsets.US_ASCII))))
        .hasMessageContaining("DBJPARTS");
  }

  @Test
  void aFailedWriterEndsTheStreamWithItsCause() throws Exception {
    PartWriter w = new PartWriter(1);
    w.openSchema();
    w.fail(new DbJobsException(ErrorCode.TIMEOUT, "lock not had"));
    InputStream in = w.stream();
    assertThatThrownBy(in::readAllBytes).hasMessageContaining("lock not had");
  }

  private static int indexOfRecord(byte[] c, byte type) {
    int pos = PartFormat.HEADER_BYTES;
    while (pos < c.length) {
      int len = ByteBuffer.wrap(c, pos + 5, 4).getInt();
      if (c[pos] == type) {
        return pos;
      }
      pos += PartFormat.RECORD_HEADER_BYTES + len;
    }
    throw new AssertionError("no record of type " + type);
  }
}
