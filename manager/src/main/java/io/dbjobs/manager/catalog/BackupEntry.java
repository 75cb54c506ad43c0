package io.dbjobs.manager.catalog;

import java.nio.file.Path;
import java.time.Instant;

/**
 * One folder of the catalog, complete (with a manifest) or not.
 *
 * @param manifest null when the folder has no manifest: the backup is incomplete (being received,
 *     or left by a failure the manager did not survive) and is never restored from
 * @param verification the last {@code backups verify}, or null when never verified after storing
 * @param lastModified the newest modification time of the folder's files (how an incomplete backup
 *     that is still being written is told from an abandoned one)
 */
public record BackupEntry(
    String cluster,
    String node,
    String id,
    Path dir,
    Manifest manifest,
    Verification verification,
    Instant lastModified) {

  /** Whether it has a manifest. */
  public boolean complete() {
    return manifest != null;
  }

  /** Complete and not failed its last verification: usable for a restore. */
  public boolean good() {
    return complete() && (verification == null || verification.ok());
  }

  /** When it was taken, from its id. */
  public Instant time() {
    return BackupId.time(id);
  }

  public BackupType type() {
    return complete()
        ? manifest.backupType()
        : id.endsWith("-" + BackupType.LOGICAL.label()) ? BackupType.LOGICAL : BackupType.PHYSICAL;
  }

  /** The data file, or null for an incomplete backup. */
  public Path dataFile() {
    return complete() ? dir.resolve(manifest.dataFile()) : null;
  }

  /** "good", "FAILED VERIFY", or "incomplete", for listings. */
  public String status() {
    if (!complete()) {
      return "incomplete";
    }
    return good() ? (verification == null ? "stored" : "verified") : "FAILED-VERIFY";
  }
}
