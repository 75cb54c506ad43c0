package io.dbjobs.common.backup;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where a tool is installed, and the setting that says so (e.g. {@code tools.mariadbBackup}), so a
 * missing tool is reported with the key to fix.
 */
public record ToolLocation(Path path, String configKey) {

  /**
   * @throws DbJobsException TOOL_NOT_FOUND naming the path and the setting when the file is missing
   *     or not executable
   */
  public void check(String tool) {
    if (!Files.isRegularFile(path) || !Files.isExecutable(path)) {
      throw new DbJobsException(
          ErrorCode.TOOL_NOT_FOUND,
          tool
              + " not found or not executable at "
              + path
              + " (setting "
              + configKey
              + "); install it, or set "
              + configKey
              + " to where it is");
    }
  }
}
