package io.dbjobs.manager.catalog;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.job.Task;
import java.util.Locale;

/** A backup's type: how it was taken and what its data file holds. */
public enum BackupType {
  /** mariadb-backup/xtrabackup, stored as one xbstream. */
  PHYSICAL("physical", Task.BACKUP_PHYSICAL),
  /** mariadb-dump/mysqldump, stored as SQL (zstd-compressed or plain). */
  LOGICAL("logical", Task.BACKUP_LOGICAL);

  private final String label;
  private final Task task;

  BackupType(String label, Task task) {
    this.label = label;
    this.task = task;
  }

  /** {@code physical} or {@code logical}, as in ids, manifests and on the command line. */
  public String label() {
    return label;
  }

  /** The agent task that takes this type of backup. */
  public Task task() {
    return task;
  }

  /**
   * Parses {@code physical} or {@code logical}.
   *
   * @throws DbJobsException USAGE for anything else
   */
  public static BackupType parse(String text) {
    String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
    for (BackupType b : values()) {
      if (b.label.equals(t)) {
        return b;
      }
    }
    throw new DbJobsException(
        ErrorCode.USAGE, "'" + text + "' is not a backup type; use physical or logical");
  }

  @Override
  public String toString() {
    return label;
  }
}
