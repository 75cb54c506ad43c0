package io.dbjobs.common.backup;

import io.dbjobs.common.tool.ToolCommand;
import java.util.ArrayList;
import java.util.List;

/**
 * A tool that streams a physical backup as xbstream to stdout: {@code --backup --stream=xbstream
 * --target-dir=<job folder> --parallel=N}. It has finished only when it printed {@code completed
 * OK!} on stderr, exited 0, and its stream ended on a chunk boundary.
 */
abstract class PhysicalBackupTool implements BackupTool {
  static final CompletionMarker COMPLETED_OK =
      new CompletionMarker("completed OK!", CompletionMarker.Where.STDERR);

  private final ToolLocation location;

  PhysicalBackupTool(ToolLocation location) {
    this.location = location;
  }

  @Override
  public BackupType type() {
    return BackupType.PHYSICAL;
  }

  @Override
  public String format() {
    return "xbstream";
  }

  @Override
  public ToolLocation location() {
    return location;
  }

  @Override
  public CompletionMarker completionMarker() {
    return COMPLETED_OK;
  }

  @Override
  public ToolCommand command(BackupRequest r) {
    List<String> argv = new ArrayList<>();
    argv.add(location.path().toString());
    argv.add("--defaults-file=" + r.defaultsFile());
    argv.add("--backup");
    argv.add("--stream=xbstream");
    argv.add("--target-dir=" + r.workDir());
    argv.add("--parallel=" + r.parallel());
    // the redo log copier polls every second by default; at the end of a backup it is waited
    // for, so any write during the backup (the agent's own heartbeat is one) cost up to a second
    argv.add("--log-copy-interval=" + LOG_COPY_INTERVAL_MS);
    argv.addAll(extraOptions(r));
    return ToolCommand.of(name(), argv)
        .workDir(r.workDir())
        .stdout(ToolCommand.Output.PIPE)
        .build();
  }

  /** Milliseconds between the redo log copier's checks (the tools' default is 1000). */
  static final int LOG_COPY_INTERVAL_MS = 100;

  /** Options this tool adds after the common ones. */
  List<String> extraOptions(BackupRequest r) {
    return List.of();
  }

  @Override
  public String toString() {
    return name() + " (" + location.path() + ")";
  }
}
