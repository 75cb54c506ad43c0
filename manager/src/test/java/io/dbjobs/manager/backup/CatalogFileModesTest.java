package io.dbjobs.manager.backup;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbjobs.common.config.DatabaseEndpoint;
import io.dbjobs.manager.catalog.BackupCatalog;
import io.dbjobs.manager.catalog.BackupType;
import io.dbjobs.manager.catalog.DurableFiles;
import io.dbjobs.manager.config.NodeConfig;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the catalog writes (as the CLI does when it imports a backup) is never readable by other
 * users of the host: files at most 0640, folders at most 0750, whatever the process' umask lets
 * through. Real files in a temp folder.
 */
class CatalogFileModesTest {
  private static final NodeConfig NODE =
      new NodeConfig("prod", "db2", new DatabaseEndpoint("h", 3306, null, "u", null), 4445, 4444);
  private static final Set<PosixFilePermission> FILE_AT_MOST =
      PosixFilePermissions.fromString("rw-r-----");
  private static final Set<PosixFilePermission> DIR_AT_MOST =
      PosixFilePermissions.fromString("rwxr-x---");

  @TempDir Path dir;

  private static void assertPrivate(Path root) throws Exception {
    List<Path> all;
    try (Stream<Path> s = Files.walk(root)) {
      all = s.toList();
    }
    assertThat(all).hasSizeGreaterThan(3);
    for (Path p : all) {
      Set<PosixFilePermission> perms = Files.getPosixFilePermissions(p);
      Set<PosixFilePermission> allowed = Files.isDirectory(p) ? DIR_AT_MOST : FILE_AT_MOST;
      assertThat(allowed).as(p + " is " + PosixFilePermissions.toString(perms)).containsAll(perms);
      assertThat(perms).as(p.toString()).contains(PosixFilePermission.OWNER_READ);
    }
  }

  @Test
  void anImportedBackupIsReadableByItsOwnerAndGroupOnly() throws Exception {
    Path f = dir.resolve("dump.sql");
    Files.writeString(
        f,
        "-- MariaDB dump 10.19  Distrib 10.11.19-MariaDB, for debian-linux-gnu (x86_64)\n"
            + "-- SET GLOBAL gtid_slave_pos='0-1-9';\n"
            + "-- Dump completed on 2026-11-23  5:14:04\n");
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-rw-rw-"));
    Path root = dir.resolve("catalog");
    new ImportBackup(new BackupCatalog(root), Clock.systemUTC()).run(NODE, BackupType.LOGICAL, f);
    assertPrivate(root.resolve("prod"));
    try (Stream<Path> s = Files.walk(root.resolve("prod"))) {
      assertThat(s.map(p -> p.getFileName().toString()))
          .contains("db2", "manifest.json", "dump.sql");
    }
  }

  @Test
  void theCatalogsFileHelpersCreatePrivateFilesAndFolders() throws Exception {
    Path d = DurableFiles.createDirectories(dir.resolve("logs/prod/db2/error"));
    try (FileChannel ch = DurableFiles.createNew(d.resolve("x.log.partial"))) {
      ch.write(java.nio.ByteBuffer.wrap(new byte[] {1}));
    }
    DurableFiles.write(d.resolve("x.json"), "{}".getBytes());
    DurableFiles.createDirectory(d.resolve("sub"));
    assertPrivate(dir.resolve("logs"));
  }
}
