package io.dbjobs.manager.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dbjobs.common.backup.StreamMeta;
import io.dbjobs.common.logical.DumpManifest;
import io.dbjobs.common.logical.PartHeader;
import io.dbjobs.common.logical.PartReader;
import io.dbjobs.common.logical.PartTrailer;
import io.dbjobs.common.logical.PartWriter;
import io.dbjobs.common.logical.TableSummary;
import io.dbjobs.common.stream.Compression;
import io.dbjobs.common.stream.StreamHello;
import io.dbjobs.common.stream.StreamSink;
import io.dbjobs.manager.backup.VerifyBackup;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A parallel dump in the catalog: stored part by part, verified part by part, sent again whole. */
class PartsCatalogTest {
  private static final Instant T = Instant.parse("2026-11-23T05:01:02Z");
  private static final StreamHello HELLO =
      new StreamHello("backup-logical/db2/p", 1, Compression.NONE, -1, null, false);

  @TempDir Path dir;

  private BackupCatalog catalog() {
    return new BackupCatalog(
        dir.resolve("catalog"), Clock.fixed(T.plusSeconds(60), ZoneOffset.UTC));
  }

  /** A dump of two tables, one in two chunks, as a container. */
  private static byte[] container() throws Exception {
    PartWriter w = new PartWriter(1);
    CompletableFuture<byte[]> bytes =
        CompletableFuture.supplyAsync(
            () -> {
              try (InputStream in = w.stream()) {
                return in.readAllBytes();
              } catch (IOException e) {
                throw new RuntimeException(e);
              }
            });
    PartWriter.Part s = w.openSchema();
    s.write("{\"kind\":\"DATABASE\",\"schema\":\"shop\"}\n".getBytes(StandardCharsets.UTF_8));
    s.finish(1);
    for (int chunk = 0; chunk < 2; chunk++) {
      PartWriter.Part p = w.openRows("shop", "orders", chunk, 2);
      for (int i = 0; i < 1000; i++) {
        p.write((chunk * 1000 + i + "\tnote ✓\n").getBytes(StandardCharsets.UTF_8));
      }
      p.finish(1000);
    }
    PartWriter.Part q = w.openRows("shop", "audit", 0, 1);
    q.write("1\t\\N\n".getBytes(StandardCharsets.UTF_8));
    q.finish(1);
    w.end(
        new DumpManifest(
            1,
            "0-1-77",
            "mysql-bin.000003",
            342L,
            "10.11.19-MariaDB",
            "mariadb",
            "BACKUP STAGE BLOCK_COMMIT",
            4,
            9,
            2,
            T,
            T.plusSeconds(3),
            w.parts(),
            List.of(
                new TableSummary("shop", "orders", "InnoDB", 2000, 2, true, false),
                new TableSummary("shop", "audit", "InnoDB", 1, 1, true, false)),
            List.of()));
    return bytes.get();
  }

  private static Map<String, String> meta() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put(StreamMeta.KIND, "backup");
    m.put(StreamMeta.TYPE, "logical");
    m.put(StreamMeta.FORMAT, "parts");
    m.put(StreamMeta.CONTENT_COMPRESSION, "zstd");
    return m;
  }

  private BackupEntry store(BackupCatalog c, byte[] container) throws Exception {
    BackupCatalog.Reservation r = c.reserve("prod", "db2", BackupType.LOGICAL, T);
    StreamSink sink =
        c.sink(r, DataLayout.PARTS, CompletableFuture.completedFuture(42L)).open(HELLO);
    for (int off = 0; off < container.length; off += 5000) {
      sink.write(ByteBuffer.wrap(container, off, Math.min(5000, container.length - off)));
    }
    sink.finish(meta(), container.length, "unused");
    return c.require(r.id());
  }

  @Test
  void storesEveryPartInItsOwnFileWithItsDigestAndTheManifestLast() throws Exception {
    BackupEntry e = store(catalog(), container());
    Manifest m = e.manifest();
    assertThat(m.format()).isEqualTo("parts");
    assertThat(m.parts()).hasSize(4);
    assertThat(m.gtid()).isEqualTo("0-1-77");
    assertThat(m.dump().lockHeldMillis()).isEqualTo(9);
    assertThat(m.bytes()).isEqualTo(m.parts().stream().mapToLong(StoredPart::bytes).sum());
    for (StoredPart p : m.parts()) {
      assertThat(Files.size(e.dir().resolve("parts").resolve(p.file()))).isEqualTo(p.bytes());
    }
    VerifyBackup.Result v = new VerifyBackup(catalog(), Clock.systemUTC()).run(e.id());
    assertThat(v.problems()).isEmpty();
    assertThat(v.ok()).isTrue();
  }

  @Test
  void verifyNamesAPartChangedOnDisk() throws Exception {
    BackupEntry e = store(catalog(), container());
    StoredPart orders = e.manifest().parts().get(1);
    Path f = e.dir().resolve("parts").resolve(orders.file());
    byte[] b = Files.readAllBytes(f);
    b[b.length / 2] ^= 0x20;
    Files.write(f, b);
    VerifyBackup.Result v = new VerifyBackup(catalog(), Clock.systemUTC()).run(e.id());
    assertThat(v.ok()).isFalse();
    assertThat(String.join("; ", v.problems())).contains("part 2").contains("shop.orders chunk");
    assertThat(catalog().require(e.id()).good()).isFalse();
  }

  @Test
  void verifyNamesAMissingPart() throws Exception {
    BackupEntry e = store(catalog(), container());
    Files.delete(e.dir().resolve("parts").resolve(e.manifest().parts().get(3).file()));
    VerifyBackup.Result v = new VerifyBackup(catalog(), Clock.systemUTC()).run(e.id());
    assertThat(v.problems()).anyMatch(p -> p.contains("is missing"));
  }

  @Test
  void sendsTheStoredPartsAgainAsOneContainerOfTheAnnouncedSize() throws Exception {
    BackupEntry e = store(catalog(), container());
    byte[] again;
    try (InputStream in = StoredPartsStream.of(e)) {
      again = in.readAllBytes();
    }
    assertThat((long) again.length).isEqualTo(StoredPartsStream.size(e));
    List<String> seen = new ArrayList<>();
    DumpManifest[] end = new DumpManifest[1];
    PartReader r =
        new PartReader(
            new PartReader.Handler() {
              @Override
              public void open(PartHeader h) {
                seen.add(h.describe());
              }

              @Override
              public void data(PartHeader h, ByteBuffer b) {}

              @Override
              public void close(PartHeader h, PartTrailer t) {}

              @Override
              public void end(DumpManifest m) {
                end[0] = m;
              }
            });
    r.feed(ByteBuffer.wrap(again));
    r.finish();
    // the schema first, then each table's chunks together
    assertThat(seen)
        .containsExactly(
            "schema", "shop.orders chunk 1/2", "shop.orders chunk 2/2", "shop.audit chunk 1/1");
    assertThat(end[0].gtid()).isEqualTo("0-1-77");
  }

  @Test
  void aCutDumpLeavesNothingInTheCatalog() throws Exception {
    BackupCatalog c = catalog();
    byte[] container = container();
    BackupCatalog.Reservation r = c.reserve("prod", "db2", BackupType.LOGICAL, T);
    StreamSink sink = c.sink(r, DataLayout.PARTS, new CompletableFuture<>()).open(HELLO);
    sink.write(ByteBuffer.wrap(container, 0, container.length - 40));
    assertThatThrownBy(() -> sink.finish(meta(), container.length - 40, "x"))
        .hasMessageContaining("cut short");
    sink.abort("finish failed");
    assertThat(c.list()).isEmpty();
    assertThat(Files.exists(r.dir())).isFalse();
  }
}
