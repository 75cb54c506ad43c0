package io.dbjobs.common.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.tool.ToolCommand;
import io.dbjobs.common.tool.ToolResult;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class BackupToolsTest {
  private static final Path CNF = Path.of("/var/lib/dbjobs/jobs/7/.dbjobs-client-x.cnf");
  private static final Path WORK = Path.of("/var/lib/dbjobs/jobs/7");

  private final BackupTools tools =
      new BackupTools(
          new ToolLocation(Path.of("/opt/mariadb/bin/mariadb-backup"), "tools.mariadbBackup"),
          new ToolLocation(Path.of("/usr/bin/xtrabackup"), "tools.xtrabackup"),
          new ToolLocation(Path.of("/usr/bin/mariadb-dump"), "tools.mariadbDump"),
          new ToolLocation(Path.of("/usr/bin/mysqldump"), "tools.mysqldump"));

  @Test
  void detectsMariaDbFromItsVersionWhateverThePackagerWroteInTheComment() {
    assertThat(ServerFlavor.detect("10.11.19-MariaDB-0+deb12u1-log", "Debian 12"))
        .isEqualTo(ServerFlavor.MARIADB);
    assertThat(ServerFlavor.detect("11.4.5-MariaDB", "mariadb.org binary distribution"))
        .isEqualTo(ServerFlavor.MARIADB);
    assertThat(ServerFlavor.detect("10.6.21-MariaDB-log", null)).isEqualTo(ServerFlavor.MARIADB);
  }

  @Test
  void detectsMySqlAndItsBuilds() {
    assertThat(ServerFlavor.detect("8.0.36", "MySQL Community Server - GPL"))
        .isEqualTo(ServerFlavor.MYSQL);
    assertThat(ServerFlavor.detect("8.0.36-28", "Percona Server (GPL), Release 28, Revision 47"))
        .isEqualTo(ServerFlavor.MYSQL);
    assertThat(ServerFlavor.detect("8.4.3-log", "MySQL Enterprise Server - Commercial"))
        .isEqualTo(ServerFlavor.MYSQL);
    assertThat(ServerFlavor.MYSQL.wireName()).isEqualTo("mysql");
  }

  @Test
  void picksTheToolForFlavorAndType() {
    assertThat(tools.select(ServerFlavor.MARIADB, BackupType.PHYSICAL).name())
        .isEqualTo("mariadb-backup");
    assertThat(tools.select(ServerFlavor.MARIADB, BackupType.LOGICAL).name())
        .isEqualTo("mariadb-dump");
    assertThat(tools.select(ServerFlavor.MYSQL, BackupType.PHYSICAL).name())
        .isEqualTo("xtrabackup");
    assertThat(tools.select(ServerFlavor.MYSQL, BackupType.LOGICAL).name()).isEqualTo("mysqldump");
    assertThat(tools.byName("xtrabackup"))
        .get()
        .extracting(BackupTool::flavor)
        .isEqualTo(ServerFlavor.MYSQL);
    assertThat(tools.byName("mydumper")).isEmpty();
  }

  @Test
  void mariadbBackupStreamsXbstreamWithTheDefaultsFileFirst() {
    BackupTool t = tools.select(ServerFlavor.MARIADB, BackupType.PHYSICAL);
    ToolCommand c = t.command(BackupRequest.physical(CNF, WORK, 4));
    assertThat(c.argv())
        .containsExactly(
            "/opt/mariadb/bin/mariadb-backup",
            "--defaults-file=" + CNF,
            "--backup",
            "--stream=xbstream",
            "--target-dir=" + WORK,
            "--parallel=4",
            "--log-copy-interval=100");
    assertThat(c.tool()).isEqualTo("mariadb-backup");
    assertThat(c.output()).isEqualTo(ToolCommand.Output.PIPE);
    assertThat(t.format()).isEqualTo("xbstream");
    assertThat(t.completionMarker().text()).isEqualTo("completed OK!");
    assertThat(t.completionMarker().where()).isEqualTo(BackupTool.CompletionMarker.Where.STDERR);
  }

  @Test
  void xtrabackupStreamsXbstreamWithTheSameOptions() {
    BackupTool t = tools.select(ServerFlavor.MYSQL, BackupType.PHYSICAL);
    assertThat(t.command(BackupRequest.physical(CNF, WORK, 1)).argv())
        .containsExactly(
            "/usr/bin/xtrabackup",
            "--defaults-file=" + CNF,
            "--backup",
            "--stream=xbstream",
            "--target-dir=" + WORK,
            "--parallel=1",
            "--log-copy-interval=100");
    assertThat(t.completionMarker().text()).isEqualTo("completed OK!");
  }

  @Test
  void mariadbDumpWritesPositionAndGtidInOneTransaction() {
    BackupTool t = tools.select(ServerFlavor.MARIADB, BackupType.LOGICAL);
    ToolCommand c = t.command(BackupRequest.logical(CNF, WORK, List.of("shop", "crm"), null));
    assertThat(c.argv())
        .containsExactly(
            "/usr/bin/mariadb-dump",
            "--defaults-file=" + CNF,
            "--single-transaction",
            "--routines",
            "--triggers",
            "--events",
            "--hex-blob",
            "--master-data=2",
            "--gtid",
            "--databases",
            "--",
            "shop",
            "crm");
    assertThat(t.format()).isEqualTo("sql");
    assertThat(t.completionMarker().text()).isEqualTo("-- Dump completed");
    assertThat(t.completionMarker().where())
        .isEqualTo(BackupTool.CompletionMarker.Where.END_OF_OUTPUT);
  }

  @Test
  void mariadbDump1011AndLaterAlsoDumpsTheHistoryOfSystemVersionedTables() {
    BackupTool t = tools.select(ServerFlavor.MARIADB, BackupType.LOGICAL);
    for (String version :
        List.of(
            "mariadb-dump  Ver 10.19 Distrib 10.11.19-MariaDB, for debian-linux-gnu (x86_64)",
            "mariadb-dump from 11.4.5-MariaDB, client 10.19")) {
      assertThat(t.command(BackupRequest.logical(CNF, WORK, List.of("shop"), version)).argv())
          .as(version)
          .contains("--dump-history");
    }
    assertThat(
            t.command(
                    BackupRequest.logical(
                        CNF,
                        WORK,
                        List.of("shop"),
                        "mysqldump  Ver 10.19 Distrib 10.6.18-MariaDB, for debian-linux-gnu"))
                .argv())
        .doesNotContain("--dump-history");
  }

  @Test
  void mysqldumpWritesSourceDataAndGtidPurged() {
    BackupTool t = tools.select(ServerFlavor.MYSQL, BackupType.LOGICAL);
    String version = "mysqldump  Ver 8.0.36 for Linux on x86_64 (MySQL Community Server - GPL)";
    assertThat(t.command(BackupRequest.logical(CNF, WORK, List.of("shop"), version)).argv())
        .containsExactly(
            "/usr/bin/mysqldump",
            "--defaults-file=" + CNF,
            "--single-transaction",
            "--routines",
            "--triggers",
            "--events",
            "--hex-blob",
            "--source-data=2",
            "--set-gtid-purged=ON",
            "--databases",
            "--",
            "shop");
  }

  @Test
  void oldMysqldumpGetsTheOldNameOfSourceData() {
    BackupTool t = tools.select(ServerFlavor.MYSQL, BackupType.LOGICAL);
    assertThat(
            t.command(
                    BackupRequest.logical(
                        CNF,
                        WORK,
                        List.of("shop"),
                        "mysqldump  Ver 10.13 Distrib 5.7.44, for Linux"))
                .argv())
        .contains("--master-data=2")
        .doesNotContain("--source-data=2");
    assertThat(MysqldumpTool.knowsSourceData("mysqldump  Ver 8.0.25 for Linux")).isFalse();
    assertThat(MysqldumpTool.knowsSourceData("mysqldump  Ver 8.0.26 for Linux")).isTrue();
    assertThat(MysqldumpTool.knowsSourceData("mysqldump  Ver 8.4.3 for Linux")).isTrue();
    assertThat(MysqldumpTool.knowsSourceData("mysqldump  Ver 9.1.0 for Linux")).isTrue();
    assertThat(MysqldumpTool.knowsSourceData("something else")).isTrue();
    assertThat(MysqldumpTool.knowsSourceData(null)).isTrue();
  }

  @Test
  void noCommandLineCarriesAnythingButTheDefaultsFileForCredentials() {
    for (BackupTool t : tools.all()) {
      List<String> argv =
          t.type() == BackupType.PHYSICAL
              ? t.command(BackupRequest.physical(CNF, WORK, 2)).argv()
              : t.command(BackupRequest.logical(CNF, WORK, List.of("shop"), null)).argv();
      assertThat(argv.get(1)).as(t.name()).isEqualTo("--defaults-file=" + CNF);
      assertThat(argv)
          .as(t.name())
          .noneMatch(
              a -> a.startsWith("--password") || a.startsWith("-p") || a.startsWith("--user"));
    }
  }

  @Test
  void refusesALogicalBackupOfNothing() {
    BackupTool t = tools.select(ServerFlavor.MARIADB, BackupType.LOGICAL);
    assertThatThrownBy(() -> t.command(BackupRequest.logical(CNF, WORK, List.of(), null)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void readsTheVersionFromStdoutOrElseStderr() {
    BackupTool dump = tools.select(ServerFlavor.MARIADB, BackupType.LOGICAL);
    assertThat(
            dump.version(
                new ToolResult(
                    "mariadb-dump",
                    0,
                    Duration.ZERO,
                    "\nmariadb-dump from 11.4.5-MariaDB, client 10.19\n",
                    List.of())))
        .isEqualTo("mariadb-dump from 11.4.5-MariaDB, client 10.19");
    BackupTool backup = tools.select(ServerFlavor.MARIADB, BackupType.PHYSICAL);
    assertThat(
            backup.version(
                new ToolResult(
                    "mariadb-backup",
                    0,
                    Duration.ZERO,
                    "",
                    List.of(
                        "mariadb-backup based on MariaDB server 10.11.19-MariaDB debian-linux-gnu"
                            + " (x86_64)"))))
        .startsWith("mariadb-backup based on MariaDB server 10.11.19");
    assertThat(backup.version(new ToolResult("x", 0, Duration.ZERO, "", List.of()))).isNull();
    assertThat(backup.versionCommand().argv())
        .containsExactly("/opt/mariadb/bin/mariadb-backup", "--version");
  }

  @Test
  void aMissingToolNamesItsSetting() {
    ToolLocation where = new ToolLocation(Path.of("/nonexistent/xtrabackup"), "tools.xtrabackup");
    assertThatThrownBy(() -> where.check("xtrabackup"))
        .isInstanceOf(DbJobsException.class)
        .satisfies(
            e -> assertThat(((DbJobsException) e).code()).isEqualTo(ErrorCode.TOOL_NOT_FOUND))
        .hasMessageContaining("xtrabackup not found or not executable at /nonexistent/xtrabackup")
        .hasMessageContaining("set tools.xtrabackup");
  }
}
