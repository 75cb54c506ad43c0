package io.dbjobs.common.backup;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import java.util.List;
import java.util.Optional;

/**
 * The backup tools of one node, by where they are installed: picks the tool for a server flavor and
 * backup type (mariadb-backup/mariadb-dump for MariaDB, xtrabackup/mysqldump for MySQL), or finds
 * one by name.
 */
public final class BackupTools {
  private final List<BackupTool> tools;

  public BackupTools(
      ToolLocation mariadbBackup,
      ToolLocation xtrabackup,
      ToolLocation mariadbDump,
      ToolLocation mysqldump) {
    this.tools =
        List.of(
            new MariadbBackupTool(mariadbBackup),
            new XtrabackupTool(xtrabackup),
            new MariadbDumpTool(mariadbDump),
            new MysqldumpTool(mysqldump));
  }

  /** Every tool, installed or not. */
  public List<BackupTool> all() {
    return tools;
  }

  /** The tool for this flavor and type; whether it is installed is checked by the caller. */
  public BackupTool select(ServerFlavor flavor, BackupType type) {
    return tools.stream()
        .filter(t -> t.flavor() == flavor && t.type() == type)
        .findFirst()
        .orElseThrow(
            () ->
                new DbJobsException(
                    ErrorCode.INTERNAL, "no " + type + " backup tool for " + flavor + " servers"));
  }

  /** The tool called {@code name} ({@code mariadb-backup}, {@code mysqldump}...). */
  public Optional<BackupTool> byName(String name) {
    return tools.stream().filter(t -> t.name().equals(name)).findFirst();
  }
}
