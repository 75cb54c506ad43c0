package io.dbjobs.manager.catalog;

import java.util.Map;

/**
 * Where a backup came from, with what only that origin has: the typed side of {@link Manifest}'s
 * origin-specific fields (which {@code manifest.json} keeps flat, as version 1 wrote them).
 */
public sealed interface BackupOrigin permits BackupOrigin.Streamed, BackupOrigin.Imported {

  /**
   * Sent by a node's agent on an authenticated stream.
   *
   * @param jobId the agent's job
   * @param sourceMeta the trailer metadata exactly as the agent sent it
   */
  record Streamed(
      Long jobId,
      String streamId,
      String wireCompression,
      String sender,
      Map<String, String> sourceMeta)
      implements BackupOrigin {}

  /**
   * Brought in by {@code dbjobs backups import}.
   *
   * @param prepared for a backup directory: whether it was already prepared; null for a file
   */
  record Imported(String importedFrom, Boolean prepared) implements BackupOrigin {}
}
