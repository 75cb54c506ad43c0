package io.dbjobs.common.backup;

import io.dbjobs.common.tool.ToolArguments;
import io.dbjobs.common.tool.ToolCommand;
import java.util.ArrayList;
import java.util.List;

/**
 * A tool that writes a logical backup (SQL) to stdout, consistent within one transaction, with
 * routines, triggers, events, binary columns as hex and the binary log position as a comment. It
 * has finished only when it exited 0 and its output ended with {@code -- Dump completed}. The
 * databases go after {@code --} ({@link ToolArguments}): a database named like an option is
 * refused, and could not act as one anyway.
 */
abstract class LogicalBackupTool implements BackupTool {
  static final CompletionMarker DUMP_COMPLETED =
      new CompletionMarker("-- Dump completed", CompletionMarker.Where.END_OF_OUTPUT);

  private final ToolLocation location;

  LogicalBackupTool(ToolLocation location) {
    this.location = location;
  }

  @Override
  public BackupType type() {
    return BackupType.LOGICAL;
  }

  @Override
  public String format() {
    return "sql";
  }

  @Override
  public ToolLocation location() {
    return location;
  }

  @Override
  public CompletionMarker completionMarker() {
    return DUMP_COMPLETED;
  }

  @Override
  public ToolCommand command(BackupRequest r) {
    if (r.databases().isEmpty()) {
      throw new IllegalArgumentException(name() + " needs at least one database to dump");
    }
    List<String> argv = new ArrayList<>();
    argv.add(location.path().toString());
    argv.add("--defaults-file=" + r.defaultsFile());
    argv.add("--single-transaction");
    argv.add("--routines");
    argv.add("--triggers");
    argv.add("--events");
    argv.add("--hex-blob");
    argv.addAll(positionOptions(r));
    argv.add("--databases");
    argv.addAll(
        ToolArguments.names(
            "database",
            "to dump",
            r.databases(),
            "Rename it, or leave it out by naming the databases to dump in the job's 'databases'"
                + " parameter."));
    return ToolCommand.of(name(), argv)
        .workDir(r.workDir())
        .stdout(ToolCommand.Output.PIPE)
        .build();
  }

  /** The options that make the tool write the source's binary log and GTID position. */
  abstract List<String> positionOptions(BackupRequest r);

  @Override
  public String toString() {
    return name() + " (" + location.path() + ")";
  }
}
