package io.dbjobs.common.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ScannersTest {

  private static void chunk(ByteArrayOutputStream out, char type, String path, byte[] payload) {
    byte[] p = path.getBytes(StandardCharsets.UTF_8);
    out.writeBytes("XBSTCK01".getBytes(StandardCharsets.US_ASCII));
    out.write(0);
    out.write(type);
    out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(p.length).array());
    out.writeBytes(p);
    if (type == 'E') {
      return;
    }
    ByteBuffer lens = ByteBuffer.allocate(20).order(ByteOrder.LITTLE_ENDIAN);
    lens.putLong(payload.length).putLong(0).putInt(0);
    out.writeBytes(lens.array());
    out.writeBytes(payload);
  }

  private static byte[] xbstream() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] big = new byte[300_000];
    new Random(1).nextBytes(big);
    chunk(out, 'P', "ibdata1", big);
    chunk(out, 'E', "ibdata1", null);
    chunk(
        out,
        'P',
        "xtrabackup_binlog_info",
        "mysql-bin.000002\t816\t0-1-9,1-2-40\n".getBytes(StandardCharsets.UTF_8));
    chunk(out, 'E', "xtrabackup_binlog_info", null);
    chunk(
        out,
        'P',
        "xtrabackup_info",
        "tool_name = mariadb-backup\ntool_version = 10.11.19-MariaDB\n"
            .getBytes(StandardCharsets.UTF_8));
    chunk(out, 'E', "xtrabackup_info", null);
    return out.toByteArray();
  }

  /** Reads everything through the stream in pieces of {@code step} bytes and returns it. */
  private static byte[] drain(InputStream in, int step) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[step];
    int n;
    while ((n = in.read(buf)) > 0) {
      out.write(buf, 0, n);
    }
    return out.toByteArray();
  }

  @Test
  void findsTheBackupPositionInAnXbstreamWhateverTheReadSizes() throws IOException {
    byte[] stream = xbstream();
    for (int step : new int[] {1, 7, 4096, 1 << 20}) {
      XbstreamScanner s = new XbstreamScanner(new ByteArrayInputStream(stream));
      assertThat(drain(s, step)).isEqualTo(stream);
      assertThat(s.position())
          .isEqualTo(new BackupPosition("0-1-9,1-2-40", "mysql-bin.000002", 816L));
      assertThat(s.info()).containsEntry("tool_version", "10.11.19-MariaDB");
      assertThat(s.endedCleanly()).isTrue();
      assertThat(s.chunks()).isEqualTo(6);
    }
  }

  @Test
  void noticesACutXbstreamAndRefusesSomethingElse() throws IOException {
    byte[] stream = xbstream();
    XbstreamScanner cut = new XbstreamScanner(new ByteArrayInputStream(stream, 0, 1000));
    drain(cut, 333);
    assertThat(cut.endedCleanly()).isFalse();
    XbstreamScanner junk =
        new XbstreamScanner(
            new ByteArrayInputStream("-- MariaDB dump".getBytes(StandardCharsets.UTF_8)));
    assertThatThrownBy(() -> drain(junk, 64)).hasMessageContaining("not an xbstream");
  }

  @Test
  void readsTheBinlogPositionFromXtrabackupInfoWhenNoBinlogInfoFile() {
    assertThat(
            XbstreamScanner.parseInfoBinlogPos(
                "filename 'mysql-bin.000002', position '816', GTID of the last change '0-1-9'"))
        .isEqualTo(new BackupPosition("0-1-9", "mysql-bin.000002", 816L));
  }

  private static final String MARIADB_DUMP =
      "-- MariaDB dump 10.19  Distrib 10.11.19-MariaDB, for debian-linux-gnu (x86_64)\n"
          + "-- CHANGE MASTER TO MASTER_USE_GTID=slave_pos;\n"
          + "-- CHANGE MASTER TO MASTER_LOG_FILE='mysql-bin.000003', MASTER_LOG_POS=342;\n"
          + "INSERT INTO `t` VALUES (1,'-- SET GLOBAL gtid_slave_pos=\\'9-9-9\\';'),(2,'x');\n"
          + "-- SET GLOBAL gtid_slave_pos='0-1-9';\n"
          + "-- Dump completed on 2026-11-23  5:14:04\n";

  @Test
  void findsPositionAndCompletionInAMariadbDumpIgnoringData() throws IOException {
    byte[] dump = MARIADB_DUMP.getBytes(StandardCharsets.UTF_8);
    for (int step : new int[] {1, 2, 5, 64, 1 << 16}) {
      DumpScanner s = new DumpScanner(new ByteArrayInputStream(dump));
      assertThat(drain(s, step)).isEqualTo(dump);
      assertThat(s.position()).isEqualTo(new BackupPosition("0-1-9", "mysql-bin.000003", 342L));
      assertThat(s.completed()).isTrue();
    }
  }

  @Test
  void aDumpWithoutItsLastLineIsIncomplete() throws IOException {
    String cut = MARIADB_DUMP.substring(0, MARIADB_DUMP.indexOf("-- Dump completed"));
    DumpScanner s = new DumpScanner(new ByteArrayInputStream(cut.getBytes(StandardCharsets.UTF_8)));
    drain(s, 10);
    assertThat(s.completed()).isFalse();
  }

  @Test
  void readsMysqlGtidSetsEvenAcrossLines() throws IOException {
    String dump =
        "-- MySQL dump 10.13\n"
            + "SET @@GLOBAL.GTID_PURGED=/*!80000 '+'*/ '3E11FA47-71CA-11E1-9E33-C80AA9429562:1-5,\n"
            + "4E11FA47-71CA-11E1-9E33-C80AA9429562:1-9';\n"
            + "-- CHANGE REPLICATION SOURCE TO SOURCE_LOG_FILE='binlog.000007', SOURCE_LOG_POS=157;\n"
            + "-- Dump completed on 2026-11-23\n";
    DumpScanner s =
        new DumpScanner(new ByteArrayInputStream(dump.getBytes(StandardCharsets.UTF_8)));
    drain(s, 3);
    assertThat(s.position())
        .isEqualTo(
            new BackupPosition(
                "3E11FA47-71CA-11E1-9E33-C80AA9429562:1-5,4E11FA47-71CA-11E1-9E33-C80AA9429562:1-9",
                "binlog.000007",
                157L));
  }
}
