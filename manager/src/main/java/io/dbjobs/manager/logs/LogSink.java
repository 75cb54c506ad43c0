package io.dbjobs.manager.logs;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.backup.StreamMeta;
import io.dbjobs.common.stream.StreamHello;
import io.dbjobs.common.stream.StreamSink;
import io.dbjobs.common.units.Sizes;
import io.dbjobs.manager.catalog.BackupId;
import io.dbjobs.manager.catalog.DurableFiles;
import io.dbjobs.manager.config.NodeConfig;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stores one log copy: bytes go to {@code <stamp>.log.partial} (created exclusively, which also
 * reserves the name); {@link #finish} fsyncs it, renames it to {@code <stamp>.log} ({@code
 * .log.zst} when the agent compressed it) and writes {@code <stamp>.json} last; {@link #abort}
 * removes all of it.
 */
final class LogSink implements StreamSink {
  private static final Logger LOG = LoggerFactory.getLogger(LogSink.class);

  private final LogStore store;
  private final NodeConfig node;
  private final LogKind kind;
  private final StreamHello hello;
  private final CompletableFuture<Long> jobId;
  private final Path dir;
  private final String name;
  private final Path partial;
  private FileChannel channel;
  private Path stored;
  private long written;

  private LogSink(
      LogStore store,
      NodeConfig node,
      LogKind kind,
      StreamHello hello,
      CompletableFuture<Long> jobId,
      Path dir,
      String name,
      FileChannel channel) {
    this.store = store;
    this.node = node;
    this.kind = kind;
    this.hello = hello;
    this.jobId = jobId;
    this.dir = dir;
    this.name = name;
    this.partial = dir.resolve(name + ".log.partial");
    this.channel = channel;
  }

  static LogSink open(
      LogStore store,
      NodeConfig node,
      LogKind kind,
      Instant at,
      StreamHello hello,
      CompletableFuture<Long> jobId) {
    Path dir = store.dir(node.cluster(), node.name(), kind);
    try {
      DurableFiles.createDirectories(dir);
    } catch (IOException e) {
      throw DurableFiles.failure("cannot create " + dir, e);
    }
    for (int i = 0; i < 3600; i++) {
      String name = BackupId.stamp(at.plusSeconds(i));
      if (Files.exists(dir.resolve(name + LogStore.JSON))) {
        continue;
      }
      try {
        FileChannel ch = DurableFiles.createNew(dir.resolve(name + ".log.partial"));
        LOG.info("receiving the {} log of {} into {}", kind, node.name(), dir.resolve(name));
        return new LogSink(store, node, kind, hello, jobId, dir, name, ch);
      } catch (FileAlreadyExistsException e) {
        // another copy started the same second: take the next second
      } catch (IOException e) {
        throw DurableFiles.failure("cannot create a log copy in " + dir, e);
      }
    }
    throw new DbJobsException(
        ErrorCode.CATALOG_ERROR, "no free log copy name near " + at + " in " + dir);
  }

  @Override
  public void write(ByteBuffer data) {
    try {
      while (data.hasRemaining()) {
        written += channel.write(data);
      }
    } catch (IOException e) {
      throw DurableFiles.failure("writing " + partial + " failed after " + Sizes.human(written), e);
    }
  }

  @Override
  public String finish(Map<String, String> meta, long bytes, String sha256Hex)
      throws InterruptedException {
    String k = meta.get(StreamMeta.KIND);
    String lk = meta.get(StreamMeta.LOG_KIND);
    if ((k != null && !k.equals("log")) || (lk != null && !lk.equals(kind.label()))) {
      throw new DbJobsException(
          ErrorCode.CATALOG_ERROR,
          "log copy refused: the agent sent kind '"
              + k
              + "', logKind '"
              + lk
              + "' where the "
              + kind
              + " log was asked for");
    }
    String content = meta.getOrDefault(StreamMeta.CONTENT_COMPRESSION, "none");
    if (!content.equals("none") && !content.equals("zstd")) {
      throw new DbJobsException(
          ErrorCode.CATALOG_ERROR,
          "log copy refused: unknown content compression '" + content + "' in the agent's trailer");
    }
    String dataFile = name + (content.equals("zstd") ? ".log.zst" : ".log");
    Path target = dir.resolve(dataFile);
    try {
      if (channel.size() != bytes || written != bytes) {
        throw new DbJobsException(
            ErrorCode.SINK_FAILED,
            partial + " holds " + channel.size() + " bytes, the stream had " + bytes);
      }
      channel.force(true);
      channel.close();
      channel = null;
      Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
      stored = target;
      DurableFiles.syncDirectory(dir);
    } catch (IOException e) {
      throw DurableFiles.failure("storing " + target + " failed", e);
    }
    LogCopy c =
        new LogCopy(
            1,
            node.cluster(),
            node.name(),
            kind.label(),
            name,
            dataFile,
            content,
            bytes,
            sha256Hex,
            meta.get(StreamMeta.LOG_FILE),
            store.clock().instant(),
            jobId(),
            hello.streamId(),
            meta,
            null);
    try {
      DurableFiles.write(dir.resolve(name + LogStore.JSON), LogJson.MAPPER.writeValueAsBytes(c));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new DbJobsException(ErrorCode.INTERNAL, "cannot describe log copy " + name, e);
    }
    LOG.info("stored the {} log of {} as {} ({})", kind, node.name(), target, Sizes.human(bytes));
    return "stored as "
        + kind
        + " log copy "
        + name
        + " of "
        + node.name()
        + " ("
        + Sizes.human(bytes)
        + ")";
  }

  private Long jobId() throws InterruptedException {
    try {
      return jobId.get(10, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      return null;
    }
  }

  @Override
  public void abort(String reason) {
    try {
      if (channel != null) {
        channel.close();
        channel = null;
      }
    } catch (IOException e) {
      LOG.warn("closing {} failed: {}", partial, e.toString());
    }
    DurableFiles.deleteQuietly(partial);
    if (stored != null) {
      DurableFiles.deleteQuietly(stored);
    }
    LOG.info("{} log copy {} of {} discarded: {}", kind, name, node.name(), reason);
  }
}
