package io.dbjobs.agent.task.backup;

import io.dbjobs.common.backup.BackupPosition;
import io.dbjobs.common.backup.StreamMeta;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Builds the metadata a sending task puts in its stream's trailer ({@link StreamMeta} keys): what
 * the bytes are, where they come from, when, and the backup's position. Absent values are left out
 * (the receiver reads them as unknown).
 */
public final class TrailerMeta {
  private final Map<String, String> meta = new LinkedHashMap<>();

  private TrailerMeta() {}

  /** The keys every stream of this agent carries: node, server version and flavor. */
  public static TrailerMeta from(String node, ServerFacts server) {
    return new TrailerMeta()
        .put(StreamMeta.NODE, node)
        .put(StreamMeta.SERVER_VERSION, server.version())
        .put(StreamMeta.SERVER_FLAVOR, server.flavor().wireName());
  }

  /** Adds a key unless {@code value} is null. */
  public TrailerMeta put(String key, String value) {
    if (value != null) {
      meta.put(key, value);
    }
    return this;
  }

  public TrailerMeta position(BackupPosition p) {
    p.toMeta(meta);
    return this;
  }

  /** {@code startedAt} and {@code endedAt} as ISO-8601 UTC, to the millisecond. */
  public TrailerMeta times(Instant started, Instant ended) {
    put(StreamMeta.STARTED_AT, started.truncatedTo(ChronoUnit.MILLIS).toString());
    return put(StreamMeta.ENDED_AT, ended.truncatedTo(ChronoUnit.MILLIS).toString());
  }

  public Map<String, String> build() {
    return Map.copyOf(meta);
  }
}
