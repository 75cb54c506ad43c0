package io.dbjobs.manager.catalog;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.backup.BackupPosition;
import io.dbjobs.common.backup.StreamMeta;
import io.dbjobs.common.stream.FileSink;
import io.dbjobs.common.stream.StreamHello;
import io.dbjobs.common.stream.StreamSink;
import io.dbjobs.common.units.Sizes;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stores one backup stream in its reserved folder. The data file is written through a {@link
 * FileSink} (partial file, fsync, atomic rename); an xbstream or plain dump is scanned on the way,
 * so the backup's position is read from its own bytes and a cut backup is refused. {@link #finish}
 * checks the agent's trailer against what was asked for, then writes {@code manifest.json} last.
 * {@link #abort} removes the whole folder.
 */
final class CatalogSink implements StreamSink {
  private static final Logger LOG = LoggerFactory.getLogger(CatalogSink.class);

  private final BackupCatalog catalog;
  private final BackupCatalog.Reservation r;
  private final DataLayout layout;
  private final StreamHello hello;
  private final CompletableFuture<Long> jobId;
  private final FileSink file;
  private final PushScanner scanner;
  private final Instant began;
  private long written;

  private CatalogSink(
      BackupCatalog catalog,
      BackupCatalog.Reservation r,
      DataLayout layout,
      StreamHello hello,
      CompletableFuture<Long> jobId,
      FileSink file) {
    this.catalog = catalog;
    this.r = r;
    this.layout = layout;
    this.hello = hello;
    this.jobId = jobId;
    this.file = file;
    this.scanner =
        layout == DataLayout.XBSTREAM
            ? PushScanner.xbstream()
            : layout == DataLayout.SQL ? PushScanner.dump() : null;
    this.began = catalog.clock().instant();
  }

  static CatalogSink open(
      BackupCatalog catalog,
      BackupCatalog.Reservation r,
      DataLayout layout,
      StreamHello hello,
      CompletableFuture<Long> jobId)
      throws IOException {
    if (!java.nio.file.Files.isDirectory(r.dir())) {
      throw new DbJobsException(
          ErrorCode.CATALOG_ERROR,
          "the folder reserved for backup " + r.id() + " is gone: " + r.dir());
    }
    FileSink f;
    try {
      f = FileSink.open(r.dir().resolve(layout.dataFile()));
    } catch (DbJobsException | IOException e) {
      DurableFiles.deleteTreeQuietly(r.dir());
      throw e;
    }
    LOG.info(
        "receiving backup {} from {} into {}",
        r.id(),
        hello.remote(),
        r.dir().resolve(layout.dataFile()));
    return new CatalogSink(catalog, r, layout, hello, jobId, f);
  }

  @Override
  public void write(ByteBuffer data) throws IOException {
    if (scanner != null) {
      try {
        scanner.feed(data);
      } catch (DbJobsException e) {
        throw new DbJobsException(
            ErrorCode.SINK_FAILED,
            "backup "
                + r.id()
                + ": the "
                + r.type()
                + " backup's bytes are not "
                + (scanner.isXbstream() ? "an xbstream" : "an SQL dump")
                + " ("
                + e.getMessage()
                + "); nothing was kept",
            e);
      }
    }
    written += data.remaining();
    file.write(data);
  }

  @Override
  public String finish(Map<String, String> meta, long bytes, String sha256Hex)
      throws IOException, InterruptedException {
    checkMeta(meta);
    BackupPosition fromAgent = BackupPosition.fromMeta(meta);
    BackupPosition fromBytes = BackupPosition.UNKNOWN;
    Map<String, String> info = Map.of();
    if (scanner != null) {
      if (!scanner.complete()) {
        throw new DbJobsException(
            ErrorCode.CATALOG_ERROR,
            "backup "
                + r.id()
                + " refused: "
                + scanner.incompleteReason()
                + " although the agent sent a complete stream of "
                + Sizes.human(bytes));
      }
      fromBytes = scanner.position();
      info = scanner.info();
    }
    if (fromBytes.isKnown() && fromAgent.isKnown() && !fromBytes.equals(fromAgent)) {
      LOG.warn(
          "backup {}: the agent's trailer says {} but the backup itself says {}; the manifest"
              + " records the backup's own",
          r.id(),
          fromAgent,
          fromBytes);
    }
    BackupPosition position = fromBytes.or(fromAgent);
    String positionSource = fromBytes.isKnown() ? "backup" : fromAgent.isKnown() ? "agent" : "none";
    String agentNode = meta.get(StreamMeta.NODE);
    if (agentNode != null && !agentNode.equals(r.node())) {
      LOG.warn(
          "backup {}: the agent calls its node '{}', the manager's config calls it '{}'",
          r.id(),
          agentNode,
          r.node());
    }
    file.finish(meta, bytes, sha256Hex);
    Instant now = catalog.clock().instant();
    Manifest m =
        new Manifest(
            Manifest.VERSION,
            r.id(),
            r.cluster(),
            r.node(),
            r.type().label(),
            layout.format(),
            layout.dataFile(),
            layout.contentCompression(),
            bytes,
            sha256Hex,
            first(meta.get(StreamMeta.TOOL), info.get("tool_name")),
            first(meta.get(StreamMeta.TOOL_VERSION), info.get("tool_version")),
            first(meta.get(StreamMeta.SERVER_VERSION), info.get("server_version")),
            meta.get(StreamMeta.SERVER_FLAVOR),
            position.gtid(),
            position.binlogFile(),
            position.binlogPos(),
            positionSource,
            first(time(meta.get(StreamMeta.STARTED_AT)), began),
            first(time(meta.get(StreamMeta.ENDED_AT)), now),
            now,
            jobId(),
            "stream",
            hello.streamId(),
            hello.compression().wireName(),
            hello.remote() == null ? null : hello.remote().toString(),
            null,
            null,
            meta,
            null,
            null);
    catalog.writeManifest(r.dir(), m);
    LOG.info(
        "stored backup {} ({}, sha256 {}, {})", r.id(), Sizes.human(bytes), sha256Hex, position);
    return "stored as backup " + r.id() + " (" + Sizes.human(bytes) + ", " + position + ")";
  }

  private void checkMeta(Map<String, String> meta) {
    expect(meta, StreamMeta.KIND, "backup", "kind of stream");
    expect(meta, StreamMeta.TYPE, r.type().label(), "backup type");
    expect(meta, StreamMeta.FORMAT, layout.format(), "format");
    expect(
        meta, StreamMeta.CONTENT_COMPRESSION, layout.contentCompression(), "content compression");
  }

  private void expect(Map<String, String> meta, String key, String wanted, String what) {
    String got = meta.get(key);
    if (got != null && !got.equals(wanted)) {
      throw new DbJobsException(
          ErrorCode.CATALOG_ERROR,
          "backup "
              + r.id()
              + " refused: the agent sent "
              + what
              + " '"
              + got
              + "' ("
              + key
              + " in its trailer) where '"
              + wanted
              + "' was asked for");
    }
  }

  private Long jobId() throws InterruptedException {
    try {
      return jobId.get(10, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      return null;
    }
  }

  private static Instant time(String iso) {
    if (iso == null) {
      return null;
    }
    try {
      return Instant.parse(iso);
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  @SafeVarargs
  private static <T> T first(T... values) {
    for (T v : values) {
      if (v != null) {
        return v;
      }
    }
    return null;
  }

  @Override
  public void abort(String reason) {
    file.abort(reason);
    if (DurableFiles.deleteTreeQuietly(r.dir())) {
      LOG.info(
          "backup {} discarded after {} ({}): {}", r.id(), Sizes.human(written), r.dir(), reason);
    }
  }

  @Override
  public String toString() {
    return "CatalogSink[" + r.id() + " in " + Objects.toString(r.dir()) + "]";
  }
}
