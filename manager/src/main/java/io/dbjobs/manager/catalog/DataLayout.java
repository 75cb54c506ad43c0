package io.dbjobs.manager.catalog;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;

/**
 * What a backup's data file is: format, name, and content compression.
 *
 * @param format {@code xbstream}, {@code sql} or {@code parts}
 * @param dataFile {@code backup.xbstream}, {@code dump.sql.zst}, {@code dump.sql}, or the folder
 *     {@code parts} of a parallel dump (one zstd file per part)
 * @param contentCompression {@code none} or {@code zstd}
 */
public record DataLayout(String format, String dataFile, String contentCompression) {
  public static final DataLayout XBSTREAM = new DataLayout("xbstream", "backup.xbstream", "none");
  public static final DataLayout SQL_ZSTD = new DataLayout("sql", "dump.sql.zst", "zstd");
  public static final DataLayout SQL = new DataLayout("sql", "dump.sql", "none");
  public static final DataLayout PARTS = new DataLayout("parts", StoredPart.FOLDER, "zstd");

  /** A parallel dump's layout: one compressed file per part. */
  public boolean parts() {
    return this.equals(PARTS);
  }

  /**
   * The layout of a backup of {@code type}: for a logical one, {@code format} {@code parts} (a
   * parallel dump) or {@code sql} (one dump file, compressed as {@code contentCompression} says).
   */
  public static DataLayout of(BackupType type, String contentCompression, String format) {
    if (type == BackupType.LOGICAL && "parts".equals(format)) {
      return PARTS;
    }
    return of(type, contentCompression);
  }

  /**
   * The layout of a backup of {@code type}; {@code contentCompression} matters for logical ones
   * only ({@code zstd} or {@code none}).
   */
  public static DataLayout of(BackupType type, String contentCompression) {
    if (type == BackupType.PHYSICAL) {
      return XBSTREAM;
    }
    return switch (contentCompression == null ? "zstd" : contentCompression) {
      case "zstd" -> SQL_ZSTD;
      case "none" -> SQL;
      default ->
          throw new DbJobsException(
              ErrorCode.BAD_PARAMETER,
              "content compression '" + contentCompression + "' is not zstd or none");
    };
  }
}
