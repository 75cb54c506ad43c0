package io.dbjobs.manager.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.backup.BackupPosition;
import io.dbjobs.common.backup.StreamMeta;
import io.dbjobs.common.stream.Compression;
import io.dbjobs.common.stream.StreamHello;
import io.dbjobs.common.stream.StreamSink;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The catalog and its sink, without a network: what lands on disk, and what never does. */
class BackupCatalogTest {
  private static final Instant T = Instant.parse("2026-11-23T05:01:02Z");
  private static final StreamHello HELLO =
      new StreamHello(
          "backup-physical/db2/abc",
          1,
          Compression.ZSTD,
          -1,
          new InetSocketAddress("10.0.0.2", 40000),
          false);

  @TempDir Path dir;

  private BackupCatalog catalog() {
    return new BackupCatalog(
        dir.resolve("catalog"), Clock.fixed(T.plusSeconds(60), ZoneOffset.UTC));
  }

  /** A small real-format xbstream: a data file and xtrabackup_binlog_info. */
  private byte[] xbstream() throws IOException {
    Path src = Files.createDirectories(dir.resolve("src"));
    byte[] data = new byte[300_000];
    new Random(7).nextBytes(data);
    Files.write(src.resolve("ibdata1"), data);
    Files.createDirectories(src.resolve("app"));
    Files.writeString(src.resolve("app/t.frm"), "frm");
    Files.writeString(src.resolve("xtrabackup_binlog_info"), "mysql-bin.000002\t816\t0-1-9\n");
    Files.writeString(
        src.resolve("xtrabackup_info"),
        "tool_name = mariabackup\ntool_version = 10.11.19-MariaDB\nserver_version = 10.11.19-MariaDB-log\n");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    XbstreamWriter.writeDirectory(src, out);
    return out.toByteArray();
  }

  private static String sha(byte[] b) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
  }

  private static Map<String, String> meta(String type) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put(StreamMeta.KIND, "backup");
    m.put(StreamMeta.TYPE, type);
    m.put(StreamMeta.FORMAT, "xbstream");
    m.put(StreamMeta.TOOL, "mariadb-backup");
    m.put(StreamMeta.TOOL_VERSION, "mariadb-backup based on MariaDB server 10.11.19-MariaDB");
    m.put(StreamMeta.STARTED_AT, "2026-11-23T05:01:03Z");
    m.put(StreamMeta.GTID, "0-1-9");
    m.put(StreamMeta.BINLOG_FILE, "mysql-bin.000002");
    m.put(StreamMeta.BINLOG_POS, "816");
    return m;
  }

  private static void write(StreamSink s, byte[] b, int from, int to) throws Exception {
    for (int i = from; i < to; i += 65536) {
      s.write(ByteBuffer.wrap(b, i, Math.min(65536, to - i)));
    }
  }

  private long filesUnder(Path p) throws IOException {
    try (Stream<Path> s = Files.walk(p)) {
      return s.filter(Files::isRegularFile).count();
    }
  }

  @Test
  void storesTheDataFileAndWritesTheManifestLast() throws Exception {
    BackupCatalog c = catalog();
    BackupCatalog.Reservation r = c.reserve("prod", "db2", BackupType.PHYSICAL, T);
    assertThat(r.id()).isEqualTo("20261123T050102Z-db2-physical");
    assertThat(c.list()).singleElement().satisfies(e -> assertThat(e.complete()).isFalse());
    byte[] xb = xbstream();
    StreamSink s =
        c.sink(r, DataLayout.XBSTREAM, CompletableFuture.completedFuture(42L)).open(HELLO);
    write(s, xb, 0, xb.length);
    assertThat(r.dir().resolve(Manifest.FILE)).doesNotExist();
    String ack = s.finish(meta("physical"), xb.length, sha(xb));
    assertThat(ack).startsWith("stored as backup 20261123T050102Z-db2-physical");
    BackupEntry e = c.require(r.id());
    assertThat(e.good()).isTrue();
    Manifest m = e.manifest();
    assertThat(m.bytes()).isEqualTo(xb.length).isEqualTo(Files.size(e.dataFile()));
    assertThat(m.sha256()).isEqualTo(sha(Files.readAllBytes(e.dataFile())));
    assertThat(m.position()).isEqualTo(new BackupPosition("0-1-9", "mysql-bin.000002", 816L));
    assertThat(m.positionSource()).isEqualTo("backup");
    assertThat(m.jobId()).isEqualTo(42L);
    assertThat(m.cluster()).isEqualTo("prod");
    assertThat(m.tool()).isEqualTo("mariadb-backup");
    assertThat(m.serverVersion()).isEqualTo("10.11.19-MariaDB-log");
    assertThat(m.wireCompression()).isEqualTo("zstd");
    assertThat(m.startedAt()).isEqualTo(Instant.parse("2026-11-23T05:01:03Z"));
    assertThat(m.sourceMeta()).containsEntry(StreamMeta.TYPE, "physical");
    assertThat(m.from())
        .isInstanceOfSatisfying(
            BackupOrigin.Streamed.class,
            streamed -> {
              assertThat(streamed.jobId()).isEqualTo(42L);
              assertThat(streamed.wireCompression()).isEqualTo("zstd");
              assertThat(streamed.sourceMeta()).containsEntry(StreamMeta.TYPE, "physical");
            });
    assertThat(Files.readString(r.dir().resolve(Manifest.FILE)))
        .contains("\"sha256\" : \"" + sha(xb));
    try (Stream<Path> files = Files.list(r.dir())) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder("backup.xbstream", "manifest.json");
    }
  }

  @Test
  void theBackupsOwnPositionWinsOverTheTrailers() throws Exception {
    BackupCatalog c = catalog();
    BackupCatalog.Reservation r = c.reserve("prod", "db2", BackupType.PHYSICAL, T);
    byte[] xb = xbstream();
    StreamSink s =
        c.sink(r, DataLayout.XBSTREAM, CompletableFuture.completedFuture(1L)).open(HELLO);
    write(s, xb, 0, xb.length);
    Map<String, String> m = meta("physical");
    m.put(StreamMeta.GTID, "0-1-8");
    s.finish(m, xb.length, sha(xb));
    assertThat(c.require(r.id()).manifest().gtid()).isEqualTo("0-1-9");
  }

  @Test
  void abortRemovesTheWholeFolder() throws Exception {
    BackupCatalog c = catalog();
    BackupCatalog.Reservation r = c.reserve("prod", "db2", BackupType.PHYSICAL, T);
    byte[] xb = xbstream();
    StreamSink s = c.sink(r, DataLayout.XBSTREAM, new CompletableFuture<>()).open(HELLO);
    write(s, xb, 0, xb.length / 2);
    s.abort("the stream was cut");
    assertThat(r.dir()).doesNotExist();
    assertThat(c.list()).isEmpty();
    assertThat(filesUnder(c.root())).isZero();
  }

  @Test
  void refusesACutXbstreamAndATypeOtherThanAskedAndLeavesNothing() throws Exception {
    BackupCatalog c = catalog();
    byte[] xb = xbstream();
    BackupCatalog.Reservation r1 = c.reserve("prod", "db2", BackupType.PHYSICAL, T);
    StreamSink cut = c.sink(r1, DataLayout.XBSTREAM, new CompletableFuture<>()).open(HELLO);
    byte[] half = Arrays.copyOf(xb, xb.length - 1000);
    write(cut, half, 0, half.length);
    assertThatThrownBy(() -> cut.finish(meta("physical"), half.length, sha(half)))
        .isInstanceOf(DbJobsException.class)
        .hasMessageContaining("refused: the xbstream is cut short");
    cut.abort("finish failed");
    BackupCatalog.Reservation r2 = c.reserve("prod", "db2", BackupType.PHYSICAL, T);
    StreamSink wrong = c.sink(r2, DataLayout.XBSTREAM, new CompletableFuture<>()).open(HELLO);
    write(wrong, xb, 0, xb.length);
    assertThatThrownBy(() -> wrong.finish(meta("logical"), xb.length, sha(xb)))
        .hasMessageContaining(
            "the agent sent backup type 'logical' (type in its trailer) where 'physical' was asked for")
        .satisfies(
            e -> assertThat(((DbJobsException) e).code()).isEqualTo(ErrorCode.CATALOG_ERROR));
    wrong.abort("finish failed");
    assertThat(c.list()).isEmpty();
    assertThat(filesUnder(c.root())).isZero();
  }

  @Test
  void bytesThatAreNotAnXbstreamFailTheFirstWrite() throws Exception {
    BackupCatalog c = catalog();
    BackupCatalog.Reservation r = c.reserve("prod", "db2", BackupType.PHYSICAL, T);
    StreamSink s = c.sink(r, DataLayout.XBSTREAM, new CompletableFuture<>()).open(HELLO);
    assertThatThrownBy(
            () ->
                s.write(
                    ByteBuffer.wrap("-- MariaDB dump 10.19\n".getBytes(StandardCharsets.UTF_8))))
        .hasMessageContaining("the physical backup's bytes are not an xbstream")
        .hasMessageContaining("nothing was kept");
    s.abort("write failed");
    assertThat(r.dir()).doesNotExist();
  }

  @Test
  void aFolderWithoutManifestIsIncompleteAndASecondBackupInTheSameSecondGetsTheNext() {
    BackupCatalog c = catalog();
    BackupCatalog.Reservation a = c.reserve("prod", "db2", BackupType.PHYSICAL, T);
    BackupCatalog.Reservation b = c.reserve("prod", "db2", BackupType.PHYSICAL, T);
    assertThat(b.id()).isEqualTo("20261123T050103Z-db2-physical");
    assertThat(c.list())
        .extracting(BackupEntry::id, BackupEntry::complete, BackupEntry::good, BackupEntry::status)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(b.id(), false, false, "incomplete"),
            org.assertj.core.groups.Tuple.tuple(a.id(), false, false, "incomplete"));
    c.release(a);
    assertThat(c.find(a.id())).isEmpty();
    assertThatThrownBy(() -> c.require("nope"))
        .hasMessageContaining("no backup 'nope'")
        .hasMessageContaining("ids look like");
  }

  @Test
  void aLogicalDumpMustBeComplete() throws Exception {
    BackupCatalog c = catalog();
    BackupCatalog.Reservation r = c.reserve("prod", "db2", BackupType.LOGICAL, T);
    StreamSink s =
        c.sink(r, DataLayout.SQL, new CompletableFuture<>())
            .open(new StreamHello("backup-logical/db2/x", 1, Compression.NONE, -1, null, false));
    byte[] dump =
        ("-- MariaDB dump 10.19  Distrib 10.11.19-MariaDB\n"
                + "-- CHANGE MASTER TO MASTER_LOG_FILE='mysql-bin.000003', MASTER_LOG_POS=342;\n"
                + "INSERT INTO t VALUES (1);\n")
            .getBytes(StandardCharsets.UTF_8);
    s.write(ByteBuffer.wrap(dump));
    Map<String, String> m = new LinkedHashMap<>();
    m.put(StreamMeta.KIND, "backup");
    m.put(StreamMeta.TYPE, "logical");
    m.put(StreamMeta.CONTENT_COMPRESSION, "none");
    assertThatThrownBy(() -> s.finish(m, dump.length, sha(dump)))
        .hasMessageContaining("the dump does not end with '-- Dump completed'");
    s.abort("finish failed");
    assertThat(c.list()).isEmpty();
  }
}
