package io.dbjobs.common.backup;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

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

  /**
   * A binary log file name dbjobs puts into {@code CHANGE MASTER}: a base name of letters, digits,
   * {@code _} and {@code -}, a dot, a number of 6 to 10 digits ({@code mysql-bin.000001}). Nothing
   * else (no path, quote or space).
   */
  private static final Pattern BINLOG_FILE =
      Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,199}\\.[0-9]{6,10}");

  /** The highest binary log offset accepted (beyond any real file). */
  private static final long MAX_POS = 1L << 52;

  /**
   * Checked binary log coordinates, for repositioning by file:position.
   *
   * @throws DbJobsException BAD_PARAMETER for a file that is not like {@code mysql-bin.000001} or
   *     an offset that is not a number from 4
   */
  public static BackupPosition binlog(String file, String pos) {
    if (file == null || !BINLOG_FILE.matcher(file).matches()) {
      throw new DbJobsException(
          ErrorCode.BAD_PARAMETER,
          "binary log file '"
              + printable(file)
              + "' is not a file name like mysql-bin.000001 (letters, digits, '_' or '-', a dot,"
              + " 6 to 10 digits)");
    }
    long p;
    try {
      p = Long.parseLong(pos == null ? "" : pos.strip());
    } catch (NumberFormatException e) {
      throw new DbJobsException(
          ErrorCode.BAD_PARAMETER,
          "binary log position '" + printable(pos) + "' is not a number",
          e);
    }
    if (p < 4 || p > MAX_POS) {
      throw new DbJobsException(
          ErrorCode.BAD_PARAMETER,
          "binary log position " + p + " is not an offset in a binary log (4 or more)");
    }
    return new BackupPosition(null, file, p);
  }

  /** Parses {@code file:pos} ({@link #coordinates()}), checked as {@link #binlog}. */
  public static BackupPosition parseCoordinates(String text) {
    int colon = text == null ? -1 : text.lastIndexOf(':');
    if (colon < 0) {
      throw new DbJobsException(
          ErrorCode.BAD_PARAMETER,
          "'" + printable(text) + "' is not FILE:POS (e.g. mysql-bin.000003:1234)");
    }
    return binlog(text.substring(0, colon), text.substring(colon + 1));
  }

  /** {@code file:pos}, checked; null when this position has no binary log coordinates. */
  public String coordinates() {
    if (binlogFile == null || binlogPos == null) {
      return null;
    }
    return binlog(binlogFile, Long.toString(binlogPos)).binlogFile() + ":" + binlogPos;
  }

  private static String printable(String s) {
    return s == null ? "" : s.replaceAll("[^\\x20-\\x7e]", "?");
  }

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
