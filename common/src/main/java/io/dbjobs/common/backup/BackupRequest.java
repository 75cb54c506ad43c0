package io.dbjobs.common.backup;

import java.nio.file.Path;
import java.util.List;

/**
 * What one backup run needs besides the tool: its connection and options.
 *
 * @param defaultsFile a 0600 option file with the {@code [client]} connection and password ({@link
 *     io.dbjobs.common.tool.DefaultsFile}); passed as the tool's first option
 * @param workDir a private folder of the job for the tool's temporary files
 * @param parallel physical: threads copying data files (at least 1)
 * @param databases logical: the schemas to dump (not empty)
 * @param toolVersion the tool's {@code --version} line, or null when unknown (some flags depend on
 *     it)
 */
public record BackupRequest(
    Path defaultsFile, Path workDir, int parallel, List<String> databases, String toolVersion) {
  public BackupRequest {
    databases = List.copyOf(databases);
    if (parallel < 1) {
      throw new IllegalArgumentException("parallel must be at least 1, not " + parallel);
    }
  }

  public static BackupRequest physical(Path defaultsFile, Path workDir, int parallel) {
    return new BackupRequest(defaultsFile, workDir, parallel, List.of(), null);
  }

  public static BackupRequest logical(
      Path defaultsFile, Path workDir, List<String> databases, String toolVersion) {
    return new BackupRequest(defaultsFile, workDir, 1, databases, toolVersion);
  }
}
