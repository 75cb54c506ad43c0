package io.dbjobs.manager.catalog;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A file written all or nothing, counting and hashing what goes in: bytes go to {@code
 * <target>.partial}; {@link #commit} flushes, fsyncs and renames it atomically to the target;
 * {@link #close} without a commit deletes the partial file.
 */
public final class StagedFile implements AutoCloseable {
  private final Path target;
  private final Path partial;
  private final FileChannel channel;
  private final MessageDigest sha256;
  private final OutputStream out;
  private long bytes;
  private String digest;
  private boolean committed;

  private StagedFile(Path target) throws IOException {
    this.target = target;
    this.partial = target.resolveSibling(target.getFileName() + ".partial");
    if (Files.exists(target)) {
      throw new DbJobsException(
          ErrorCode.CATALOG_ERROR, "refusing to overwrite " + target + ": it already exists");
    }
    this.channel = DurableFiles.createNew(partial);
    try {
      this.sha256 = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
    OutputStream file = Channels.newOutputStream(channel);
    this.out =
        new BufferedOutputStream(
            new FilterOutputStream(file) {
              @Override
              public void write(int b) throws IOException {
                sha256.update((byte) b);
                bytes++;
                file.write(b);
              }

              @Override
              public void write(byte[] b, int off, int len) throws IOException {
                sha256.update(b, off, len);
                bytes += len;
                file.write(b, off, len);
              }

              @Override
              public void close() {
                // the channel is closed by commit() or close()
              }
            },
            1 << 20);
  }

  /**
   * Creates {@code <target>.partial}.
   *
   * @throws DbJobsException CATALOG_ERROR or DISK_FULL
   */
  public static StagedFile create(Path target) {
    try {
      return new StagedFile(target);
    } catch (IOException e) {
      throw DurableFiles.failure("cannot create " + target + ".partial", e);
    }
  }

  /** Where to write; closing it does not commit. */
  public OutputStream out() {
    return out;
  }

  /**
   * Flushes, fsyncs and renames the file to its target.
   *
   * @throws DbJobsException DISK_FULL or CATALOG_ERROR; the partial file is then deleted by {@link
   *     #close}
   */
  public void commit() {
    try {
      out.flush();
      channel.force(true);
      channel.close();
      digest = HexFormat.of().formatHex(sha256.digest());
      Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
      DurableFiles.syncDirectory(target.getParent());
      committed = true;
    } catch (IOException e) {
      throw DurableFiles.failure("storing " + target + " failed", e);
    }
  }

  /** Bytes written so far. */
  public long bytes() {
    return bytes;
  }

  /** The SHA-256 of everything written, lowercase hex; after {@link #commit}. */
  public String sha256() {
    return digest;
  }

  public Path target() {
    return target;
  }

  /** Deletes the partial file unless committed. */
  @Override
  public void close() {
    if (committed) {
      return;
    }
    try {
      channel.close();
    } catch (IOException e) {
      // closing a channel we are about to delete the file of: nothing to do
    }
    DurableFiles.deleteQuietly(partial);
  }
}
