package io.dbjobs.manager.catalog;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Backup ids: {@code <UTC time>-<node>-<type>}, e.g. {@code 20261123T050102Z-db2-physical}. Their
 * text order is their time order, and an id names its backup's folder.
 */
public final class BackupId {
  private static final DateTimeFormatter STAMP =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
  private static final Pattern ID =
      Pattern.compile("(\\d{8}T\\d{6}Z)-([A-Za-z0-9][A-Za-z0-9._-]*)-(physical|logical)");

  private BackupId() {}

  /** The id of a backup of {@code node} taken at {@code time} (to the second). */
  public static String of(Instant time, String node, BackupType type) {
    return stamp(time) + "-" + node + "-" + type.label();
  }

  /** {@code 20261123T050102Z}: a sortable UTC time to the second. */
  public static String stamp(Instant time) {
    return STAMP.format(time.truncatedTo(ChronoUnit.SECONDS));
  }

  /** Parses a {@link #stamp}, or null. */
  public static Instant parseStamp(String stamp) {
    try {
      return Instant.from(STAMP.parse(stamp));
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  /** True when {@code name} is shaped like a backup id (a folder of the catalog). */
  public static boolean isId(String name) {
    return ID.matcher(name).matches() && parseStamp(name.substring(0, 16)) != null;
  }

  /** The time in an id, or null when it is not one. */
  public static Instant time(String id) {
    Matcher m = ID.matcher(id);
    return m.matches() ? parseStamp(m.group(1)) : null;
  }
}
