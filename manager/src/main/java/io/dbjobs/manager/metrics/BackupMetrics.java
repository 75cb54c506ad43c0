package io.dbjobs.manager.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Where the stream receiver and the backup catalog report, so {@code /metrics} shows stream
 * throughput and backup freshness per node. Thread-safe; every method is cheap enough to call per
 * progress update. Names are in {@link MetricNames}.
 */
public final class BackupMetrics {
  private final MeterRegistry registry;
  private final Clock clock;
  private final Map<String, AtomicLong> rates = new ConcurrentHashMap<>();
  private final Map<String, AtomicReference<Instant>> newest = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> lastResult = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> lastEnd = new ConcurrentHashMap<>();

  BackupMetrics(MeterRegistry registry, Clock clock) {
    this.registry = registry;
    this.clock = clock;
  }

  /**
   * Bytes a stream moved since the last call.
   *
   * @param direction {@code in} (received by the manager) or {@code out} (sent by it)
   * @param kind {@code backup}, {@code log} or {@code reseed}
   */
  public void streamBytes(String node, String direction, String kind, long bytes) {
    Counter.builder(MetricNames.STREAM_BYTES)
        .tags("node", node, "direction", direction, "kind", kind)
        .baseUnit("bytes")
        .description("bytes moved by streams")
        .register(registry)
        .increment(bytes);
  }

  /** The current rate of the node's stream in bytes per second; 0 once it ended. */
  public void streamRate(String node, String direction, double bytesPerSecond) {
    rates
        .computeIfAbsent(
            node + "|" + direction,
            k -> {
              AtomicLong v = new AtomicLong();
              Gauge.builder(MetricNames.STREAM_RATE, v, AtomicLong::get)
                  .tags("node", node, "direction", direction)
                  .baseUnit("bytes_per_second")
                  .description("rate of the node's running stream")
                  .register(registry);
              return v;
            })
        .set(Math.round(bytesPerSecond));
  }

  /**
   * The newest good (manifested) backup of the node of this type ended at {@code endedAt}; the
   * gauge shows its age at each scrape.
   *
   * @param type {@code physical} or {@code logical}
   */
  public void newestGoodBackup(String node, String type, Instant endedAt) {
    newest
        .computeIfAbsent(
            node + "|" + type,
            k -> {
              AtomicReference<Instant> ref = new AtomicReference<>();
              Gauge.builder(
                      MetricNames.BACKUP_NEWEST_AGE,
                      ref,
                      r ->
                          r.get() == null
                              ? Double.NaN
                              : (clock.millis() - r.get().toEpochMilli()) / 1000.0)
                  .tags("node", node, "type", type)
                  .baseUnit("seconds")
                  .description("age of the node's newest good backup")
                  .register(registry);
              return ref;
            })
        .set(endedAt);
  }

  /** How the node's last backup of this type ended. */
  public void lastBackupResult(String node, String type, boolean succeeded, Instant endedAt) {
    value(lastResult, MetricNames.BACKUP_LAST_RESULT, node, type, null, "1 when it succeeded")
        .set(succeeded ? 1 : 0);
    value(lastEnd, MetricNames.BACKUP_LAST_END, node, type, "seconds", "when it ended")
        .set(endedAt.getEpochSecond());
  }

  private AtomicLong value(
      Map<String, AtomicLong> values,
      String name,
      String node,
      String type,
      String unit,
      String doc) {
    return values.computeIfAbsent(
        node + "|" + type,
        k -> {
          AtomicLong v = new AtomicLong();
          Gauge.Builder<AtomicLong> b =
              Gauge.builder(name, v, AtomicLong::get)
                  .tags("node", node, "type", type)
                  .description("the node's last backup: " + doc);
          if (unit != null) {
            b.baseUnit(unit);
          }
          b.register(registry);
          return v;
        });
  }
}
