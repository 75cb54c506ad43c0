package io.dbjobs.manager.reseed;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.backup.BackupPosition;
import io.dbjobs.common.backup.StreamMeta;
import io.dbjobs.common.stream.ProgressListener;
import io.dbjobs.common.stream.SourceCompletion;
import io.dbjobs.common.stream.StreamOptions;
import io.dbjobs.common.stream.StreamSender;
import io.dbjobs.common.stream.StreamTarget;
import io.dbjobs.manager.catalog.BackupEntry;
import io.dbjobs.manager.catalog.StoredPartsStream;
import java.util.Map;

/**
 * {@code physicalbackup}/{@code logicalbackup}/flashback: a catalog backup, sent by the manager.
 */
final class CatalogFile implements ReseedSource {
  private final BackupEntry entry;
  private final StreamOptions options;

  CatalogFile(BackupEntry entry, StreamOptions options) {
    this.entry = entry;
    this.options = options;
  }

  BackupEntry entry() {
    return entry;
  }

  @Override
  public String describe() {
    return "backup " + entry.id() + " of " + entry.node();
  }

  @Override
  public Long expectedBytes() {
    return entry.manifest().hasParts() ? StoredPartsStream.size(entry) : entry.manifest().bytes();
  }

  @Override
  public void send(StreamTarget target) {
    Map<String, String> meta =
        new BackupPosition(
                entry.manifest().gtid(),
                entry.manifest().binlogFile(),
                entry.manifest().binlogPos())
            .toMeta();
    meta.put(StreamMeta.TYPE, entry.manifest().type());
    meta.put(StreamMeta.FORMAT, entry.manifest().format());
    meta.put(StreamMeta.CONTENT_COMPRESSION, entry.manifest().contentCompression());
    try (StreamSender sender = new StreamSender()) {
      if (entry.manifest().hasParts()) {
        // a parallel dump: its parts again as one container, loaded in parallel by the joiner
        try (StoredPartsStream parts = StoredPartsStream.of(entry)) {
          sender.send(
              target,
              parts,
              StoredPartsStream.size(entry),
              SourceCompletion.of(meta),
              options,
              ProgressListener.NONE);
        } catch (java.io.IOException e) {
          throw new DbJobsException(
              ErrorCode.CATALOG_ERROR,
              "reading the parts of backup " + entry.id() + " failed: " + e.getMessage(),
              e);
        }
        return;
      }
      sender.sendFile(target, entry.dataFile(), meta, options, ProgressListener.NONE);
    }
  }
}
