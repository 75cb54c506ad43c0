package io.dbjobs.manager.catalog;

import io.dbjobs.common.backup.BackupPosition;
import io.dbjobs.common.logical.DumpManifest;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What {@code manifest.json} says about one backup. Written last, atomically, once the data file is
 * complete and verified: its presence is what makes a backup complete.
 *
 * @param manifestVersion {@value #VERSION} for this layout; readers ignore fields they do not know
 * @param id the backup id, also its folder's name
 * @param type {@code physical} or {@code logical}
 * @param format {@code xbstream}, {@code sql} or {@code parts}
 * @param dataFile the data file's name in the backup's folder
 * @param contentCompression how the data file itself is compressed: {@code none} or {@code zstd}
 * @param bytes the data file's size
 * @param sha256 the data file's SHA-256, lowercase hex (equal to the stream's verified digest)
 * @param tool the tool that made the backup, e.g. {@code mariadb-backup}; null when unknown
 * @param serverFlavor {@code mariadb} or {@code mysql}; null when unknown
 * @param gtid the GTID position the backup is consistent at; null when unknown
 * @param binlogFile the source's binary log file at that position; null when unknown
 * @param positionSource where the position comes from: {@code backup} (read from the backup's own
 *     bytes), {@code agent} (the agent's trailer metadata only) or {@code none}
 * @param startedAt when the tool started (as the agent reported it), else when the stream began
 * @param endedAt when the tool ended (as the agent reported it), else when the stream ended
 * @param storedAt when the catalog finished storing the backup
 * @param jobId the agent's job that sent it; null for imports
 * @param origin {@code stream} (sent by an agent) or {@code import}
 * @param streamId the stream it arrived on; null for imports
 * @param wireCompression compression on the wire (none, zstd, lz4); null for imports
 * @param sender the agent's address; null for imports
 * @param importedFrom the path it was imported from; null for streams
 * @param prepared for imported backup directories: whether they were already prepared
 * @param sourceMeta the trailer metadata exactly as the agent sent it (empty for imports)
 * @param parts for format {@code parts} (a parallel dump): every part, its file under {@code
 *     parts/}, size and SHA-256; {@code bytes} is then their total and {@code sha256} the SHA-256
 *     of their {@code "<id> <sha256>\n"} lines ({@link StoredPart#digestOf}); null otherwise
 * @param dump for format {@code parts}: the dump's own manifest (snapshot lock times, tables and
 *     their rows, warnings); null otherwise
 */
public record Manifest(
    int manifestVersion,
    String id,
    String cluster,
    String node,
    String type,
    String format,
    String dataFile,
    String contentCompression,
    long bytes,
    String sha256,
    String tool,
    String toolVersion,
    String serverVersion,
    String serverFlavor,
    String gtid,
    String binlogFile,
    Long binlogPos,
    String positionSource,
    Instant startedAt,
    Instant endedAt,
    Instant storedAt,
    Long jobId,
    String origin,
    String streamId,
    String wireCompression,
    String sender,
    String importedFrom,
    Boolean prepared,
    Map<String, String> sourceMeta,
    List<StoredPart> parts,
    DumpManifest dump) {

  public static final int VERSION = 1;
  public static final String FILE = "manifest.json";

  public Manifest {
    sourceMeta = sourceMeta == null ? Map.of() : Map.copyOf(sourceMeta);
    parts = parts == null ? null : List.copyOf(parts);
  }

  /** True for a parallel dump stored as parts. */
  public boolean hasParts() {
    return parts != null;
  }

  /**
   * Where the backup came from, typed: {@link BackupOrigin.Imported} for {@code origin: import},
   * {@link BackupOrigin.Streamed} otherwise (a manifest written before imports existed has no
   * origin and was streamed).
   */
  public BackupOrigin from() {
    if ("import".equals(origin)) {
      return new BackupOrigin.Imported(importedFrom, prepared);
    }
    return new BackupOrigin.Streamed(jobId, streamId, wireCompression, sender, sourceMeta);
  }

  /** The GTID and binary log position the backup is consistent at. */
  public BackupPosition position() {
    return new BackupPosition(gtid, binlogFile, binlogFile == null ? null : binlogPos);
  }

  public BackupType backupType() {
    return BackupType.parse(type);
  }
}
