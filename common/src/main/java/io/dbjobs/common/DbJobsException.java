package io.dbjobs.common;

import java.util.Objects;

/**
 * The one unchecked exception of dbjobs. Its {@link ErrorCode} is what ends up in a job row and in
 * a command's exit status; its message says what happened, to what, and what to do about it. It
 * never carries a secret.
 */
public class DbJobsException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final ErrorCode code;

  public DbJobsException(ErrorCode code, String message) {
    super(message);
    this.code = Objects.requireNonNull(code, "code");
  }

  public DbJobsException(ErrorCode code, String message, Throwable cause) {
    super(message, cause);
    this.code = Objects.requireNonNull(code, "code");
  }

  public ErrorCode code() {
    return code;
  }

  /**
   * Finds the first {@link DbJobsException} in a cause chain, or wraps {@code t} as INTERNAL with
   * the given context.
   */
  public static DbJobsException from(Throwable t, String context) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof DbJobsException d) {
        return d;
      }
    }
    return new DbJobsException(ErrorCode.INTERNAL, context + ": " + describe(t), t);
  }

  /** "ClassName: message" of a throwable, and of its root cause when that differs. */
  public static String describe(Throwable t) {
    Throwable root = t;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String head = t.getClass().getSimpleName() + ": " + t.getMessage();
    if (root == t || Objects.equals(root.getMessage(), t.getMessage())) {
      return head;
    }
    return head + " (caused by " + root.getClass().getSimpleName() + ": " + root.getMessage() + ")";
  }
}
