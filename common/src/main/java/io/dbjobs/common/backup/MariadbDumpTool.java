package io.dbjobs.common.backup;

import java.util.List;

/**
 * {@code mariadb-dump} for MariaDB: {@code --master-data=2 --gtid} writes the binary log position
 * as a commented {@code CHANGE MASTER} near the top and the GTID position as a commented {@code SET
 * GLOBAL gtid_slave_pos} after the data.
 */
final class MariadbDumpTool extends LogicalBackupTool {
  MariadbDumpTool(ToolLocation location) {
    super(location);
  }

  @Override
  public String name() {
    return "mariadb-dump";
  }

  @Override
  public ServerFlavor flavor() {
    return ServerFlavor.MARIADB;
  }

  @Override
  List<String> positionOptions(BackupRequest r) {
    return List.of("--master-data=2", "--gtid");
  }
}
