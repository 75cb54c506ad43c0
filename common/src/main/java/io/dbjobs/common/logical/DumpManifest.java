package io.dbjobs.common.logical;

import io.dbjobs.common.backup.BackupPosition;
import java.time.Instant;
import java.util.List;

/**
 * The last record of a dump: where it is consistent, how the snapshot was taken, what it holds.
 *
 * @param gtid GTID position read under the snapshot lock; null when the source has none
 * @param lockMethod {@code BACKUP STAGE BLOCK_COMMIT} or {@code FLUSH TABLES WITH READ LOCK}
 * @param lockWaitMillis from asking for the lock to having it
 * @param lockHeldMillis from having it to releasing it (non-transactional tables dumped under it
 *     included)
 * @param parts how many parts precede this record
 * @param warnings what the dump could not carry or guarantee, by name
 */
public record DumpManifest(
    int version,
    String gtid,
    String binlogFile,
    Long binlogPos,
    String serverVersion,
    String serverFlavor,
    String lockMethod,
    long lockWaitMillis,
    long lockHeldMillis,
    int threads,
    Instant startedAt,
    Instant endedAt,
    int parts,
    List<TableSummary> tables,
    List<String> warnings) {

  public DumpManifest {
    tables = tables == null ? List.of() : List.copyOf(tables);
    warnings = warnings == null ? List.of() : List.copyOf(warnings);
  }

  public BackupPosition position() {
    return new BackupPosition(gtid, binlogFile, binlogFile == null ? null : binlogPos);
  }

  public long rows() {
    return tables.stream().mapToLong(TableSummary::rows).sum();
  }
}
