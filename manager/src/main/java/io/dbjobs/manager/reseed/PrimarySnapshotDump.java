package io.dbjobs.manager.reseed;

import io.dbjobs.common.backup.StreamMeta;
import io.dbjobs.common.logical.DumpManifest;
import io.dbjobs.common.logical.DumpOptions;
import io.dbjobs.common.logical.LogicalDump;
import io.dbjobs.common.logical.PartFormat;
import io.dbjobs.common.logical.PartWriter;
import io.dbjobs.common.logical.SourceDb;
import io.dbjobs.common.stream.ProgressListener;
import io.dbjobs.common.stream.StreamOptions;
import io.dbjobs.common.stream.StreamSender;
import io.dbjobs.common.stream.StreamTarget;
import io.dbjobs.manager.config.NodeConfig;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code logicalmaster} from a MariaDB primary: the manager takes a parallel consistent dump of the
 * primary ({@link LogicalDump}: N sessions in one snapshot, tables and chunks as separately
 * compressed parts) and sends it into the joiner's stream as it is taken; the joiner loads tables
 * in parallel as they arrive. Nothing is staged on the manager; memory is bounded by the part
 * writer's queue and one compressor per session.
 */
final class PrimarySnapshotDump implements ReseedSource {
  private static final Logger LOG = LoggerFactory.getLogger(PrimarySnapshotDump.class);

  private final NodeConfig primary;
  private final SourceDb db;
  private final DumpOptions dumpOptions;
  private final StreamOptions options;

  PrimarySnapshotDump(
      NodeConfig primary, SourceDb db, DumpOptions dumpOptions, StreamOptions options) {
    this.primary = primary;
    this.db = db;
    this.dumpOptions = dumpOptions;
    this.options = options;
  }

  @Override
  public String describe() {
    return "a dump of " + primary.name() + " taken now";
  }

  @Override
  public Long expectedBytes() {
    return null;
  }

  @Override
  public void send(StreamTarget target) throws InterruptedException {
    PartWriter out = new PartWriter(1);
    try (LogicalDump dump =
            LogicalDump.start(
                db, primary.name(), dumpOptions, out, p -> LOG.info("{}: {}", primary.name(), p));
        StreamSender sender = new StreamSender()) {
      sender.send(
          target, out.stream(), -1, () -> meta(dump.await()), options, ProgressListener.NONE);
    }
  }

  /** The trailer: the dump's position and what it is. */
  static Map<String, String> meta(DumpManifest m) {
    Map<String, String> meta = m.position().toMeta();
    meta.put(StreamMeta.TYPE, "logical");
    meta.put(StreamMeta.FORMAT, PartFormat.NAME);
    meta.put(StreamMeta.CONTENT_COMPRESSION, "zstd");
    meta.put(StreamMeta.SERVER_VERSION, m.serverVersion());
    return meta;
  }
}
