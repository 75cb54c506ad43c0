package io.dbjobs.manager.catalog;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.backup.StreamMeta;
import io.dbjobs.common.logical.DumpManifest;
import io.dbjobs.common.logical.PartFormat;
import io.dbjobs.common.logical.PartHeader;
import io.dbjobs.common.logical.PartReader;
import io.dbjobs.common.logical.PartTrailer;
import io.dbjobs.common.stream.StreamHello;
import io.dbjobs.common.stream.StreamSink;
import io.dbjobs.common.units.Sizes;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stores a parallel dump's stream ({@link PartFormat}) in its reserved folder, one file per part
 * under {@code parts/} (each part's compressed bytes as they came, checked against its trailer by
 * the {@link PartReader}, fsynced), then writes {@code manifest.json} last with every part's size
 * and digest and the dump's own manifest. {@link #abort} removes the whole folder.
 */
final class PartsCatalogSink implements StreamSink, PartReader.Handler {
  private static final Logger LOG = LoggerFactory.getLogger(PartsCatalogSink.class);

  private final BackupCatalog catalog;
  private final BackupCatalog.Reservation r;
  private final StreamHello hello;
  private final CompletableFuture<Long> jobId;
  private final Path folder;
  private final PartReader reader = new PartReader(this);
  private final Map<Integer, FileChannel> open = new HashMap<>();
  private final List<StoredPart> parts = new ArrayList<>();
  private final Instant began;
  private DumpManifest dump;

  private PartsCatalogSink(
      BackupCatalog catalog,
      BackupCatalog.Reservation r,
      StreamHello hello,
      CompletableFuture<Long> jobId,
      Path folder) {
    this.catalog = catalog;
    this.r = r;
    this.hello = hello;
    this.jobId = jobId;
    this.folder = folder;
    this.began = catalog.clock().instant();
  }

  static PartsCatalogSink open(
      BackupCatalog catalog,
      BackupCatalog.Reservation r,
      StreamHello hello,
      CompletableFuture<Long> jobId) {
    if (!Files.isDirectory(r.dir())) {
      throw new DbJobsException(
          ErrorCode.CATALOG_ERROR,
          "the folder reserved for backup " + r.id() + " is gone: " + r.dir());
    }
    Path folder = r.dir().resolve(StoredPart.FOLDER);
    try {
      Files.createDirectory(folder);
    } catch (IOException e) {
      DurableFiles.deleteTreeQuietly(r.dir());
      throw DurableFiles.failure("cannot create " + folder, e);
    }
    LOG.info("receiving parallel dump {} from {} into {}", r.id(), hello.remote(), folder);
    return new PartsCatalogSink(catalog, r, hello, jobId, folder);
  }

  @Override
  public void write(ByteBuffer data) throws IOException, InterruptedException {
    reader.feed(data);
  }

  @Override
  public void open(PartHeader h) throws IOException {
    open.put(
        h.id(),
        FileChannel.open(
            folder.resolve(StoredPart.fileName(h.id())),
            StandardOpenOption.CREATE_NEW,
            StandardOpenOption.WRITE));
  }

  @Override
  public void data(PartHeader h, ByteBuffer compressed) throws IOException {
    FileChannel ch = open.get(h.id());
    try {
      while (compressed.hasRemaining()) {
        ch.write(compressed);
      }
    } catch (IOException e) {
      throw DurableFiles.failure("storing part " + h.describe() + " of backup " + r.id(), e);
    }
  }

  @Override
  public void close(PartHeader h, PartTrailer t) throws IOException {
    try (FileChannel ch = open.remove(h.id())) {
      ch.force(true);
    }
    parts.add(StoredPart.of(h, t));
  }

  @Override
  public void end(DumpManifest m) {
    dump = m;
  }

  @Override
  public String finish(Map<String, String> meta, long bytes, String sha256Hex)
      throws IOException, InterruptedException {
    reader.finish();
    expect(meta, StreamMeta.KIND, "backup");
    expect(meta, StreamMeta.TYPE, r.type().label());
    expect(meta, StreamMeta.FORMAT, PartFormat.NAME);
    DurableFiles.syncDirectory(folder);
    long total = parts.stream().mapToLong(StoredPart::bytes).sum();
    Instant now = catalog.clock().instant();
    Manifest m =
        new Manifest(
            Manifest.VERSION,
            r.id(),
            r.cluster(),
            r.node(),
            r.type().label(),
            PartFormat.NAME,
            StoredPart.FOLDER,
            "zstd",
            total,
            StoredPart.digestOf(parts),
            meta.getOrDefault(StreamMeta.TOOL, "dbjobs parallel dump"),
            meta.get(StreamMeta.TOOL_VERSION),
            first(meta.get(StreamMeta.SERVER_VERSION), dump.serverVersion()),
            first(meta.get(StreamMeta.SERVER_FLAVOR), dump.serverFlavor()),
            dump.gtid(),
            dump.binlogFile(),
            dump.binlogPos(),
            "backup",
            first(dump.startedAt(), began),
            first(dump.endedAt(), now),
            now,
            jobId(),
            "stream",
            hello.streamId(),
            hello.compression().wireName(),
            hello.remote() == null ? null : hello.remote().toString(),
            null,
            null,
            meta,
            parts,
            dump);
    catalog.writeManifest(r.dir(), m);
    LOG.info(
        "stored backup {} ({} parts, {}, {} rows, {})",
        r.id(),
        parts.size(),
        Sizes.human(total),
        dump.rows(),
        dump.position());
    return "stored as backup "
        + r.id()
        + " ("
        + parts.size()
        + " parts, "
        + Sizes.human(total)
        + ", "
        + dump.position()
        + ")";
  }

  private void expect(Map<String, String> meta, String key, String wanted) {
    String got = meta.get(key);
    if (got != null && !got.equals(wanted)) {
      throw new DbJobsException(
          ErrorCode.CATALOG_ERROR,
          "backup "
              + r.id()
              + " refused: the agent sent "
              + key
              + " '"
              + got
              + "' where '"
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
    for (FileChannel ch : open.values()) {
      try {
        ch.close();
      } catch (IOException e) {
        // about to delete the folder
      }
    }
    if (DurableFiles.deleteTreeQuietly(r.dir())) {
      LOG.info("backup {} discarded ({}): {}", r.id(), r.dir(), reason);
    }
  }
}
