package io.dbjobs.common.backup;

import java.util.List;

/**
 * {@code mariadb-dump} for MariaDB: {@code --master-data=2 --gtid} writes the binary log position
 * as a commented {@code CHANGE MASTER} near the top and the GTID position as a commented {@code SET
 * GLOBAL gtid_slave_pos} after the data; {@code --dump-history} (10.11+) keeps the history rows of
 * system-versioned tables.
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

  /**
   * {@code --dump-history} too when the tool has it (10.11 and later): system-versioned tables keep
   * their history rows.
   */
  @Override
  List<String> positionOptions(BackupRequest r) {
    if (dumpsHistory(r.toolVersion())) {
      return List.of("--master-data=2", "--gtid", "--dump-history");
    }
    return List.of("--master-data=2", "--gtid");
  }

  /** True for a mariadb-dump of 10.11 or later ("... Distrib 10.11.19-MariaDB ..."). */
  static boolean dumpsHistory(String toolVersion) {
    if (toolVersion == null) {
      return false;
    }
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("(?:Distrib|from) (\\d+)\\.(\\d+)").matcher(toolVersion);
    if (!m.find()) {
      return false;
    }
    int major = Integer.parseInt(m.group(1));
    int minor = Integer.parseInt(m.group(2));
    return major > 10 || (major == 10 && minor >= 11);
  }
}
