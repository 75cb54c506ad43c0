package io.dbjobs.common.backup;

import io.dbjobs.common.tool.ToolCommand;
import io.dbjobs.common.tool.ToolResult;
import java.util.List;

/**
 * One backup tool (mariadb-backup, xtrabackup, mariadb-dump, mysqldump): the command line of a
 * backup that writes to stdout, how a run proves it finished, and how to ask for its version. A
 * tool never gets a password on its command line: its connection comes from {@link
 * BackupRequest#defaultsFile()}, always its first option. Look one up with {@link BackupTools}.
 */
public interface BackupTool {
  /** The tool's name, e.g. {@code mariadb-backup}: tags its log lines, {@link StreamMeta#TOOL}. */
  String name();

  BackupType type();

  /** The servers it backs up. */
  ServerFlavor flavor();

  /** What it writes to stdout: {@code xbstream} or {@code sql} ({@link StreamMeta#FORMAT}). */
  String format();

  /** Where it is installed and which setting says so. */
  ToolLocation location();

  /** The backup command; its stdout is piped to the caller, stderr goes to the log. */
  ToolCommand command(BackupRequest request);

  /** What a run must show before its output counts as a complete backup. */
  CompletionMarker completionMarker();

  /** The command that prints the tool's version (stdout captured; some tools use stderr). */
  default ToolCommand versionCommand() {
    return ToolCommand.of(name(), List.of(location().path().toString(), "--version"))
        .stdout(ToolCommand.Output.CAPTURE)
        .build();
  }

  /**
   * The version line of a {@link #versionCommand()} run: its first non-blank stdout line, else its
   * last stderr line (mariadb-backup and xtrabackup print their version to stderr), or null.
   */
  default String version(ToolResult r) {
    for (String line : r.stdout().split("\n")) {
      if (!line.isBlank()) {
        return line.strip();
      }
    }
    List<String> err = r.stderrTail();
    for (int i = err.size() - 1; i >= 0; i--) {
      if (!err.get(i).isBlank()) {
        return err.get(i).strip();
      }
    }
    return null;
  }

  /**
   * A text a successful run shows: {@code completed OK!} as a stderr line (mariadb-backup,
   * xtrabackup), or {@code -- Dump completed} as the dump's last line (mariadb-dump, mysqldump).
   */
  record CompletionMarker(String text, Where where) {
    /** Where the marker appears. */
    public enum Where {
      STDERR,
      END_OF_OUTPUT
    }

    @Override
    public String toString() {
      return "'"
          + text
          + "'"
          + (where == Where.STDERR ? " on stderr" : " at the end of its output");
    }
  }
}
