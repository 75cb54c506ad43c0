package io.dbjobs.common.backup;

/**
 * Percona {@code xtrabackup} for MySQL (8.0 for MySQL 8.0, 8.4 for 8.4): the same xbstream output,
 * options and {@code completed OK!} as mariadb-backup.
 */
final class XtrabackupTool extends PhysicalBackupTool {
  XtrabackupTool(ToolLocation location) {
    super(location);
  }

  @Override
  public String name() {
    return "xtrabackup";
  }

  @Override
  public ServerFlavor flavor() {
    return ServerFlavor.MYSQL;
  }
}
