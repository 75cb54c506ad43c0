package io.dbjobs.common.job;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** A job's state. The numbers are replication-manager's, stored in the {@code state} column. */
public enum JobState {
  QUEUED(0, "queued"),
  RUNNING(1, "running"),
  /** The job opened its stream listener and waits for the peer to connect. */
  WAITING_FOR_STREAM(2, "waiting-for-stream"),
  /** The agent finished; the manager post-processes. */
  FINISHED(3, "finished"),
  SUCCEEDED(4, "succeeded"),
  FAILED(5, "failed"),
  POST_PROCESSING_FAILED(6, "post-processing-failed"),
  CANCELLED(7, "cancelled");

  private final int code;
  private final String label;

  JobState(int code, String label) {
    this.code = code;
    this.label = label;
  }

  public int code() {
    return code;
  }

  public String label() {
    return label;
  }

  /** True for the states a job never leaves. */
  public boolean isFinal() {
    return this == SUCCEEDED
        || this == FAILED
        || this == POST_PROCESSING_FAILED
        || this == CANCELLED;
  }

  /** True while an agent holds the job's lease. */
  public boolean isActive() {
    return this == RUNNING || this == WAITING_FOR_STREAM;
  }

  /** Whether {@code code} is the code of a state (0 to 7). */
  public static boolean isCode(int code) {
    for (JobState s : values()) {
      if (s.code == code) {
        return true;
      }
    }
    return false;
  }

  public static JobState fromCode(int code) {
    for (JobState s : values()) {
      if (s.code == code) {
        return s;
      }
    }
    throw new DbJobsException(
        ErrorCode.INTERNAL, "unknown job state " + code + " in the jobs table (known: 0-7)");
  }

  /** Parses a state given by a user: its label ("failed"), enum name, or number. */
  public static JobState parse(String text) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    for (JobState s : values()) {
      if (s.label.equals(t)
          || s.name().toLowerCase(Locale.ROOT).equals(t)
          || String.valueOf(s.code).equals(t)) {
        return s;
      }
    }
    throw new DbJobsException(
        ErrorCode.USAGE,
        "unknown job state '"
            + text
            + "'; known states: "
            + Arrays.stream(values()).map(JobState::label).collect(Collectors.joining(", ")));
  }

  @Override
  public String toString() {
    return label;
  }
}
