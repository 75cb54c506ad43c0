package io.dbjobs.common.backup;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code mysqldump} for MySQL: {@code --source-data=2} writes the binary log position as a
 * commented {@code CHANGE REPLICATION SOURCE TO}, {@code --set-gtid-purged=ON} the GTID set as
 * {@code SET @@GLOBAL.GTID_PURGED} (the server must run with {@code gtid_mode=ON}). mysqldump
 * before 8.0.26 knows only the old name {@code --master-data=2}; it gets that one when its version
 * says so.
 */
final class MysqldumpTool extends LogicalBackupTool {
  private static final Pattern VERSION =
      Pattern.compile("(?:Distrib|Ver)\\s+(\\d+)\\.(\\d+)\\.(\\d+)");

  MysqldumpTool(ToolLocation location) {
    super(location);
  }

  @Override
  public String name() {
    return "mysqldump";
  }

  @Override
  public ServerFlavor flavor() {
    return ServerFlavor.MYSQL;
  }

  @Override
  List<String> positionOptions(BackupRequest r) {
    String source = knowsSourceData(r.toolVersion()) ? "--source-data=2" : "--master-data=2";
    return List.of(source, "--set-gtid-purged=ON");
  }

  /**
   * False only for a version line that names a release before 8.0.26 ({@code mysqldump Ver 10.13
   * Distrib 5.7.44}, {@code mysqldump Ver 8.0.25}); an unknown version is taken as current.
   */
  static boolean knowsSourceData(String versionLine) {
    if (versionLine == null) {
      return true;
    }
    Matcher m = VERSION.matcher(versionLine);
    if (!m.find()) {
      return true;
    }
    int major = Integer.parseInt(m.group(1));
    int minor = Integer.parseInt(m.group(2));
    int patch = Integer.parseInt(m.group(3));
    if (major != 8) {
      return major > 8;
    }
    return minor > 0 || patch >= 26;
  }
}
