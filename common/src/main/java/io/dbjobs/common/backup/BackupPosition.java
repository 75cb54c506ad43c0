package io.dbjobs.common.backup;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where a backup is consistent in its source's history: the GTID position (MariaDB {@code
 * domain-server-seq} list or MySQL GTID set) and the binary log file and offset.
 *
 * @param gtid null when the source had no GTID position
 * @param binlogFile null when the source had no binary log
 * @param binlogPos null when {@code binlogFile} is null
 */
public record BackupPosition(String gtid, String binlogFile, Long binlogPos) {

  public static final BackupPosition UNKNOWN = new BackupPosition(null, null, null);

  public boolean isKnown() {
    return gtid != null || binlogFile != null;
  }

  /** This position merged over {@code other}: fields this one lacks are taken from it. */
  public BackupPosition or(BackupPosition other) {
    return new BackupPosition(
        gtid != null ? gtid : other.gtid,
        binlogFile != null ? binlogFile : other.binlogFile,
        binlogFile != null ? binlogPos : other.binlogPos);
  }

  /**
   * Parses {@code xtrabackup_binlog_info}: {@code file<TAB>position[<TAB>gtid]}; MySQL GTID sets
   * may continue over several lines.
   */
  public static BackupPosition parseBinlogInfo(String text) {
    String t = text.strip();
    if (t.isEmpty()) {
      return UNKNOWN;
    }
    String[] parts = t.split("\t", 3);
    String file = parts[0].strip();
    Long pos = null;
    if (parts.length > 1) {
      try {
        pos = Long.parseLong(parts[1].strip());
      } catch (NumberFormatException e) {
        pos = null; // a malformed offset leaves only the file known
      }
    }
    String gtid = parts.length > 2 ? parts[2].replaceAll("\\s+", "") : null;
    return new BackupPosition(
        gtid == null || gtid.isEmpty() ? null : gtid, file.isEmpty() ? null : file, pos);
  }

  /** Adds this position's fields to trailer metadata ({@link StreamMeta} keys). */
  public Map<String, String> toMeta(Map<String, String> meta) {
    if (gtid != null) {
      meta.put(StreamMeta.GTID, gtid);
    }
    if (binlogFile != null) {
      meta.put(StreamMeta.BINLOG_FILE, binlogFile);
      if (binlogPos != null) {
        meta.put(StreamMeta.BINLOG_POS, Long.toString(binlogPos));
      }
    }
    return meta;
  }

  public Map<String, String> toMeta() {
    return toMeta(new LinkedHashMap<>());
  }

  /** Reads a position from trailer metadata. */
  public static BackupPosition fromMeta(Map<String, String> meta) {
    String pos = meta.get(StreamMeta.BINLOG_POS);
    Long p;
    try {
      p = pos == null ? null : Long.parseLong(pos);
    } catch (NumberFormatException e) {
      p = null; // an unreadable offset is reported as unknown
    }
    return new BackupPosition(meta.get(StreamMeta.GTID), meta.get(StreamMeta.BINLOG_FILE), p);
  }

  @Override
  public String toString() {
    if (!isKnown()) {
      return "unknown position";
    }
    StringBuilder sb = new StringBuilder();
    if (gtid != null) {
      sb.append("GTID ").append(gtid);
    }
    if (binlogFile != null) {
      sb.append(sb.isEmpty() ? "" : ", ").append(binlogFile).append(':').append(binlogPos);
    }
    return sb.toString();
  }
}
