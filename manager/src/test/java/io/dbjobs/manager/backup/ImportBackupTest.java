package io.dbjobs.manager.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.luben.zstd.ZstdOutputStreamNoFinalizer;
import io.dbjobs.common.backup.BackupPosition;
import io.dbjobs.common.config.DatabaseEndpoint;
import io.dbjobs.manager.catalog.BackupCatalog;
import io.dbjobs.manager.catalog.BackupEntry;
import io.dbjobs.manager.catalog.BackupType;
import io.dbjobs.manager.catalog.XbstreamWriter;
import io.dbjobs.manager.config.NodeConfig;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Imports of hand-made backups: formats told by content, positions read from them. */
class ImportBackupTest {
  private static final NodeConfig NODE =
      new NodeConfig("prod", "db2", new DatabaseEndpoint("h", 3306, null, "u", null), 4445, 4444);
  private static final String DUMP =
      "/*M!999999\\- enable the sandbox mode */ \n"
          + "-- MariaDB dump 10.19  Distrib 10.11.19-MariaDB, for debian-linux-gnu (x86_64)\n"
          + "--\n-- Host: 127.0.0.1    Database: \n"
          + "-- Server version\t10.11.19-MariaDB-log\n"
          + "-- CHANGE MASTER TO MASTER_LOG_FILE='mysql-bin.000003', MASTER_LOG_POS=342;\n"
          + "-- SET GLOBAL gtid_slave_pos='0-1-9';\n"
          + "INSERT INTO t VALUES (1);\n"
          + "-- Dump completed on 2026-11-23  5:14:04\n";

  @TempDir Path dir;

  private ImportBackup importer(BackupCatalog c) {
    return new ImportBackup(c, Clock.systemUTC());
  }

  @Test
  void aZstdDumpIsStoredAsItIsAndReadForItsPosition() throws Exception {
    Path f = dir.resolve("whatever.bin");
    try (OutputStream z = new ZstdOutputStreamNoFinalizer(Files.newOutputStream(f))) {
      z.write(DUMP.getBytes(StandardCharsets.UTF_8));
    }
    Files.setLastModifiedTime(f, FileTime.from(Instant.parse("2026-01-02T03:04:05Z")));
    BackupCatalog c = new BackupCatalog(dir.resolve("catalog"));
    ImportBackup.Result r = importer(c).run(NODE, BackupType.LOGICAL, f);
    BackupEntry e = r.backup();
    assertThat(e.id()).isEqualTo("20260102T030405Z-db2-logical");
    assertThat(e.manifest().dataFile()).isEqualTo("dump.sql.zst");
    assertThat(e.manifest().from())
        .isEqualTo(new io.dbjobs.manager.catalog.BackupOrigin.Imported(f.toString(), null));
    assertThat(Files.readAllBytes(e.dataFile())).isEqualTo(Files.readAllBytes(f));
    assertThat(e.manifest().position())
        .isEqualTo(new BackupPosition("0-1-9", "mysql-bin.000003", 342L));
    assertThat(e.manifest().serverVersion()).isEqualTo("10.11.19-MariaDB-log");
    assertThat(e.manifest().serverFlavor()).isEqualTo("mariadb");
    assertThat(e.manifest().toolVersion()).startsWith("MariaDB dump 10.19");
    assertThat(new VerifyBackup(c, Clock.systemUTC()).run(e.id()).ok()).isTrue();
  }

  @Test
  void aPlainDumpWithoutPositionIsImportedWithANote() throws Exception {
    Path f = dir.resolve("d.sql");
    Files.writeString(
        f,
        DUMP.lines()
            .filter(l -> !l.contains("MASTER_LOG") && !l.contains("gtid_slave_pos"))
            .collect(java.util.stream.Collectors.joining("\n", "", "\n")));
    ImportBackup.Result r =
        importer(new BackupCatalog(dir.resolve("catalog"))).run(NODE, BackupType.LOGICAL, f);
    assertThat(r.backup().manifest().dataFile()).isEqualTo("dump.sql");
    assertThat(r.backup().manifest().position().isKnown()).isFalse();
    assertThat(r.notes()).singleElement().asString().startsWith("no position found in the dump");
  }

  @Test
  void aCutXbstreamFileIsRefusedAndNothingIsKept() throws Exception {
    Path src = Files.createDirectories(dir.resolve("src"));
    Files.write(src.resolve("ibdata1"), new byte[100_000]);
    Path f = dir.resolve("b.xbstream");
    try (OutputStream out = Files.newOutputStream(f)) {
      XbstreamWriter.writeDirectory(src, out);
    }
    byte[] all = Files.readAllBytes(f);
    Files.write(f, Arrays.copyOf(all, all.length - 10));
    BackupCatalog c = new BackupCatalog(dir.resolve("catalog"));
    assertThatThrownBy(() -> importer(c).run(NODE, BackupType.PHYSICAL, f))
        .hasMessageContaining("cannot import " + f + ": it is cut short");
    assertThat(c.list()).isEmpty();
    assertThatThrownBy(() -> importer(c).run(NODE, BackupType.LOGICAL, f))
        .hasMessageContaining("is an xbstream, not an SQL dump: use --type physical");
    assertThatThrownBy(() -> importer(c).run(NODE, BackupType.LOGICAL, dir.resolve("nope.sql")))
        .hasMessageContaining("does not exist");
    assertThat(c.list()).isEmpty();
  }
}
