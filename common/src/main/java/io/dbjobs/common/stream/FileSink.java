package io.dbjobs.common.stream;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.units.Sizes;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stores a stream in a file, all or nothing: bytes go to {@code <target>.partial}; {@link #finish}
 * checks the size, fsyncs, renames the partial file atomically to the target and fsyncs the
 * directory; {@link #abort} deletes the partial file. The target never exists half-written, and an
 * existing target is never overwritten.
 */
public final class FileSink implements StreamSink {
  private static final Logger LOG = LoggerFactory.getLogger(FileSink.class);

  private final Path target;
  private final Path partial;
  private FileChannel channel;
  private long written;

  private FileSink(Path target) throws IOException {
    this.target = target.toAbsolutePath();
    this.partial = partialOf(this.target);
    if (Files.exists(this.target)) {
      throw new DbJobsException(
          ErrorCode.SINK_FAILED, "refusing to overwrite " + this.target + ": it already exists");
    }
    try {
      Files.deleteIfExists(partial);
      channel = FileChannel.open(partial, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    } catch (IOException e) {
      throw failure("cannot create " + partial, e);
    }
  }

  /** A factory for a sink that stores the stream in {@code target}. */
  public static SinkFactory to(Path target) {
    return hello -> open(target);
  }

  /** Opens a sink for {@code target}: creates {@code <target>.partial}. */
  public static FileSink open(Path target) throws IOException {
    return new FileSink(target);
  }

  /** Where bytes go until {@link #finish}: {@code <target>.partial}. */
  public static Path partialOf(Path target) {
    return target.resolveSibling(target.getFileName() + ".partial");
  }

  @Override
  public void write(ByteBuffer data) {
    try {
      while (data.hasRemaining()) {
        written += channel.write(data);
      }
    } catch (IOException e) {
      throw failure("writing " + partial + " failed after " + Sizes.human(written), e);
    }
  }

  @Override
  public String finish(Map<String, String> meta, long bytes, String sha256Hex) {
    try {
      long size = channel.size();
      if (size != bytes || written != bytes) {
        throw new DbJobsException(
            ErrorCode.SINK_FAILED,
            partial + " holds " + size + " bytes, the stream had " + bytes + " bytes");
      }
      channel.force(true);
      channel.close();
      channel = null;
    } catch (IOException e) {
      throw failure("flushing " + partial + " to disk failed", e);
    }
    try {
      Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
    } catch (FileAlreadyExistsException e) {
      throw failure("cannot rename " + partial + ": " + target + " appeared meanwhile", e);
    } catch (AtomicMoveNotSupportedException e) {
      throw failure("cannot rename " + partial + " to " + target + " atomically", e);
    } catch (IOException e) {
      throw failure("renaming " + partial + " to " + target + " failed", e);
    }
    syncDirectory(target.getParent());
    return target + " (" + Sizes.human(bytes) + ", sha256 " + sha256Hex + ")";
  }

  @Override
  public void abort(String reason) {
    try {
      if (channel != null) {
        channel.close();
        channel = null;
      }
    } catch (IOException e) {
      LOG.warn("closing {} while aborting failed: {}", partial, e.toString());
    }
    try {
      if (Files.deleteIfExists(partial)) {
        LOG.info("deleted {} ({}): {}", partial, Sizes.human(written), reason);
      }
    } catch (IOException e) {
      LOG.error("could not delete {} after the stream failed ({}); remove it by hand", partial, e);
    }
  }

  private static void syncDirectory(Path dir) {
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      d.force(true);
    } catch (IOException e) {
      // Not every file system lets a directory be opened for fsync; the rename itself is done.
      LOG.debug("fsync of directory {} not possible: {}", dir, e.toString());
    }
  }

  /** SINK_FAILED naming the path, or DISK_FULL when the disk or quota is full. */
  static DbJobsException failure(String what, IOException e) {
    String m = String.valueOf(e.getMessage());
    String lower = m.toLowerCase(Locale.ROOT);
    if (lower.contains("no space left") || lower.contains("quota exceeded")) {
      return new DbJobsException(
          ErrorCode.DISK_FULL, what + ": " + m + " (the disk is full: free space and retry)", e);
    }
    return new DbJobsException(ErrorCode.SINK_FAILED, what + ": " + DbJobsException.describe(e), e);
  }

  @Override
  public String toString() {
    return "FileSink[" + target + "]";
  }
}
