package io.dbjobs.common.backup;

/**
 * {@code mariadb-backup} for MariaDB. Given only {@code [client]} settings it asks the server for
 * its datadir; it copies under {@code BACKUP STAGE}, so the position in {@code
 * xtrabackup_binlog_info} is consistent with the data.
 */
final class MariadbBackupTool extends PhysicalBackupTool {
  MariadbBackupTool(ToolLocation location) {
    super(location);
  }

  @Override
  public String name() {
    return "mariadb-backup";
  }

  @Override
  public ServerFlavor flavor() {
    return ServerFlavor.MARIADB;
  }
}
