package io.dbjobs.manager.logs;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.job.Task;
import java.util.Locale;

/** Which log of a node: the error log or the slow query log. */
public enum LogKind {
  ERROR("error", Task.ERRORLOG),
  SLOW("slow", Task.SLOWQUERY);

  private final String label;
  private final Task task;

  LogKind(String label, Task task) {
    this.label = label;
    this.task = task;
  }

  /** {@code error} or {@code slow}: in folder names, the trailer's {@code logKind}, the CLI. */
  public String label() {
    return label;
  }

  /** The agent task that sends this log. */
  public Task task() {
    return task;
  }

  /**
   * Parses {@code error} or {@code slow}.
   *
   * @throws DbJobsException USAGE for anything else
   */
  public static LogKind parse(String text) {
    String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
    for (LogKind k : values()) {
      if (k.label.equals(t)) {
        return k;
      }
    }
    throw new DbJobsException(
        ErrorCode.USAGE, "'" + text + "' is not a log kind; use error or slow");
  }

  @Override
  public String toString() {
    return label;
  }
}
