package io.dbjobs.manager.reseed;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.job.Task;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** How a reseed gets its data. */
public enum ReseedMethod {
  /** A physical backup from the manager's catalog, streamed by the manager. */
  PHYSICALBACKUP(Task.RESEED_PHYSICAL),
  /** A logical backup from the manager's catalog, streamed by the manager. */
  LOGICALBACKUP(Task.RESEED_LOGICAL),
  /** The manager dumps the current primary and pipes the dump to the joiner; nothing staged. */
  LOGICALMASTER(Task.RESEED_LOGICAL),
  /** A donor's mariadb-backup stream goes straight to the joiner; nothing staged on the manager. */
  PHYSICALDONOR(Task.RESEED_PHYSICAL);

  private final Task joinerTask;

  ReseedMethod(Task joinerTask) {
    this.joinerTask = joinerTask;
  }

  public Task joinerTask() {
    return joinerTask;
  }

  public boolean physical() {
    return joinerTask == Task.RESEED_PHYSICAL;
  }

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static ReseedMethod parse(String text) {
    for (ReseedMethod m : values()) {
      if (m.label().equals(text.trim().toLowerCase(Locale.ROOT))) {
        return m;
      }
    }
    throw new DbJobsException(
        ErrorCode.USAGE,
        "unknown reseed method '"
            + text
            + "'; known methods: "
            + Arrays.stream(values()).map(ReseedMethod::label).collect(Collectors.joining(", ")));
  }
}
