package io.dbjobs.manager.catalog;

import java.time.Instant;
import java.util.List;

/**
 * The last {@code dbjobs backups verify} of a backup, kept in {@code verify.json} next to its
 * manifest (the manifest itself never changes). A backup whose last verification failed is not
 * good: retention does not count it, restores refuse it.
 *
 * @param bytes the data file's size as read
 * @param sha256 its SHA-256 as computed
 * @param problems what did not match; empty when {@code ok}
 */
public record Verification(
    Instant checkedAt, boolean ok, long bytes, String sha256, List<String> problems) {
  public static final String FILE = "verify.json";

  public Verification {
    problems = problems == null ? List.of() : List.copyOf(problems);
  }
}
