package io.dbjobs.manager.reseed;

import io.dbjobs.common.backup.BackupPosition;
import io.dbjobs.common.backup.StreamMeta;
import io.dbjobs.common.stream.ProgressListener;
import io.dbjobs.common.stream.StreamOptions;
import io.dbjobs.common.stream.StreamSender;
import io.dbjobs.common.stream.StreamTarget;
import io.dbjobs.manager.catalog.BackupEntry;
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
    return entry.manifest().bytes();
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
      sender.sendFile(target, entry.dataFile(), meta, options, ProgressListener.NONE);
    }
  }
}
