package io.dbjobs.common.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What {@link DumpScanner} learns about a dump's rows, and {@link DumpRowCheck} decides on it. */
class DumpRowsTest {
  /** A dump as mariadb-dump 10.11 writes it, with a table named across a line break. */
  static final String DUMP =
      "/*M!999999\\- enable the sandbox mode */ \n"
          + "-- MariaDB dump 10.19  Distrib 10.11.19-MariaDB, for debian-linux-gnu (x86_64)\n"
          + "-- CHANGE MASTER TO MASTER_LOG_FILE='bin.000001', MASTER_LOG_POS=2431;\n"
          + "--\n-- Current Database: `shop`\n--\n\n"
          + "CREATE DATABASE /*!32312 IF NOT EXISTS*/ `shop`;\n"
          + "USE `shop`;\n"
          + "CREATE TABLE `empty` (\n  `id` int(11) DEFAULT NULL\n) ENGINE=InnoDB;\n"
          + "LOCK TABLES `empty` WRITE;\nUNLOCK TABLES;\n"
          + "LOCK TABLES `o` WRITE;\n"
          + "INSERT INTO `o` VALUES\n(7),\n(8);\n"
          + "UNLOCK TABLES;\n"
          + "DELIMITER ;;\n"
          + "/*!50003 CREATE*/ /*!50003 TRIGGER trg BEFORE INSERT ON o FOR EACH ROW BEGIN\n"
          + "INSERT INTO `victim` VALUES (1);\n"
          + "END */;;\n"
          + "DELIMITER ;\n"
          + "-- Table structure for table `we``ird\n-- name`\n"
          + "DROP TABLE IF EXISTS `we``ird\nname`;\n"
          + "LOCK TABLES `we``ird\nname` WRITE;\n"
          + "INSERT INTO `we``ird\nname` VALUES\n(1);\n"
          + "UNLOCK TABLES;\n"
          + "--\n-- Current Database: `caf\u00e9`\n--\n"
          + "USE `caf\u00e9`;\n"
          + "INSERT INTO `cr\u00e8me` VALUES (1,'x'),(2,'INSERT INTO `victim` VALUES');\n"
          + "-- SET GLOBAL gtid_slave_pos='0-1-13';\n"
          + "-- Dump completed on 2026-12-03  9:29:26\n";

  private static DumpScanner scan(String dump, int step) throws IOException {
    byte[] bytes = dump.getBytes(StandardCharsets.UTF_8);
    DumpScanner s = new DumpScanner(new ByteArrayInputStream(bytes));
    byte[] buf = new byte[step];
    while (s.read(buf) > 0) {
      // scanned as it passes
    }
    return s;
  }

  @Test
  void knowsWhichTablesTheDumpCarriesRowsForWhateverTheReadSizes() throws IOException {
    for (int step : new int[] {1, 2, 3, 7, 64, 1 << 16}) {
      DumpScanner s = scan(DUMP, step);
      assertThat(s.tablesWithRows())
          .as("read %d bytes at a time", step)
          .containsExactly(
              new TableName("shop", "o"),
              new TableName("shop", "we`ird\nname"),
              new TableName("caf\u00e9", "cr\u00e8me"));
      assertThat(s.completed()).isTrue();
      assertThat(s.position()).isEqualTo(new BackupPosition("0-1-13", "bin.000001", 2431L));
    }
  }

  @Test
  void aCompletionMarkerForgedByATableNameIsNotTheEnd() throws IOException {
    String forged =
        DUMP.substring(0, DUMP.indexOf("-- SET GLOBAL"))
            + "DROP TABLE IF EXISTS `x\n-- Dump completed on 2026`;\n"
            + "INSERT INTO `t` VALUES (1);\n";
    assertThat(scan(forged, 5).completed()).isFalse();
  }

  @Test
  void theFirstMysqlGtidSetWinsOverOneForgedByATableNameLater() throws IOException {
    String dump =
        "-- MySQL dump 10.13\n"
            + "SET @@GLOBAL.GTID_PURGED=/*!80000 '+'*/ '3E11FA47-71CA-11E1-9E33-C80AA9429562:1-5';\n"
            + "DROP TABLE IF EXISTS `x\n"
            + "SET @@GLOBAL.GTID_PURGED='3E11FA47-71CA-11E1-9E33-C80AA9429562:1-999';\n"
            + "`;\n"
            + "-- Dump completed on 2026-11-23\n";
    assertThat(scan(dump, 4).position().gtid())
        .isEqualTo("3E11FA47-71CA-11E1-9E33-C80AA9429562:1-5");
  }

  @Test
  void aDumpWithoutRowsForTablesThatHaveRowsFailsNamingThem() throws IOException {
    DumpScanner noData = scan(DUMP.replaceAll("(?m)^INSERT INTO.*$", "-- no data"), 64);
    assertThat(noData.tablesWithRows()).isEmpty();
    Set<TableName> rows =
        Set.of(new TableName("shop", "o"), new TableName("caf\u00e9", "cr\u00e8me"));
    assertThatThrownBy(
            () -> DumpRowCheck.check("the dump of db1", rows, rows, noData.tablesWithRows()))
        .isInstanceOf(DbJobsException.class)
        .satisfies(
            e -> assertThat(((DbJobsException) e).code()).isEqualTo(ErrorCode.DUMP_INCOMPLETE))
        .hasMessageContaining("the dump of db1 carries no rows for 2 tables")
        .hasMessageContaining("shop.o")
        .hasMessageContaining("caf\u00e9.cr\u00e8me");
  }

  @Test
  void aTableEmptiedOrFilledWhileTheDumpRanIsNotHeldAgainstIt() throws IOException {
    DumpScanner s = scan(DUMP, 64);
    TableName emptied = new TableName("shop", "gone");
    TableName filled = new TableName("shop", "new");
    DumpRowCheck.check(
        "the dump",
        Set.of(new TableName("shop", "o"), emptied),
        Set.of(filled),
        s.tablesWithRows());
    DumpRowCheck.check("the dump", s.tablesWithRows(), s.tablesWithRows(), s.tablesWithRows());
  }

  @Test
  void observingPushedBytesGivesTheSameAnswer() throws IOException {
    DumpScanner s = DumpScanner.observer();
    byte[] bytes = DUMP.getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < bytes.length; i += 11) {
      s.observe(bytes, i, Math.min(11, bytes.length - i));
    }
    assertThat(s.tablesWithRows()).hasSize(3);
    try (InputStream in = new DumpScanner(new ByteArrayInputStream(bytes))) {
      in.transferTo(OutputStream.nullOutputStream());
    }
  }
}
