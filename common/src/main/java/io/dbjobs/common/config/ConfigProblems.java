package io.dbjobs.common.config;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import java.util.ArrayList;
import java.util.List;

/** Collects every problem of a config file, each naming its key, so a user fixes them in one go. */
public final class ConfigProblems {
  private final List<String> problems = new ArrayList<>();

  public void add(String key, String message) {
    problems.add((key.isEmpty() ? "(top level)" : key) + ": " + message);
  }

  public List<String> list() {
    return List.copyOf(problems);
  }

  public boolean isEmpty() {
    return problems.isEmpty();
  }

  /**
   * @throws DbJobsException CONFIG_INVALID listing all problems of {@code source}
   */
  public void throwIfAny(String source) {
    if (problems.isEmpty()) {
      return;
    }
    StringBuilder sb = new StringBuilder();
    sb.append(source)
        .append(" has ")
        .append(problems.size())
        .append(problems.size() == 1 ? " problem:" : " problems:");
    for (String p : problems) {
      sb.append("\n  - ").append(p);
    }
    throw new DbJobsException(ErrorCode.CONFIG_INVALID, sb.toString());
  }
}
