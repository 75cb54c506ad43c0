package io.dbjobs.manager.catalog;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * File operations that survive a crash at any point: writes go to a temp file in the same folder,
 * are fsynced, renamed over the target atomically, and the folder is fsynced. Everything the
 * catalog creates (backups, manifests, collected logs, whoever runs it: the daemon or the CLI) is
 * created with mode {@link #FILE_MODE} 0640 and folders {@link #DIR_MODE} 0750, so other users of
 * the host read nothing of it whatever the process' umask (a stricter umask still applies).
 */
public final class DurableFiles {
  private static final Logger LOG = LoggerFactory.getLogger(DurableFiles.class);

  /** rw-r-----: the owner writes, its group (backup readers) reads, others nothing. */
  public static final Set<PosixFilePermission> FILE_MODE =
      PosixFilePermissions.fromString("rw-r-----");

  /** rwxr-x---. */
  public static final Set<PosixFilePermission> DIR_MODE =
      PosixFilePermissions.fromString("rwxr-x---");

  private DurableFiles() {}

  /**
   * Creates {@code dir} and its missing parents with mode {@link #DIR_MODE}.
   *
   * @throws IOException as {@link Files#createDirectories}
   */
  public static Path createDirectories(Path dir) throws IOException {
    return Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(DIR_MODE));
  }

  /**
   * Creates the folder {@code dir} (its parent must exist) with mode {@link #DIR_MODE}.
   *
   * @throws java.nio.file.FileAlreadyExistsException when it exists
   */
  public static Path createDirectory(Path dir) throws IOException {
    return Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(DIR_MODE));
  }

  /**
   * Creates {@code file}, which must not exist, with mode {@link #FILE_MODE}, open for writing.
   *
   * @throws java.nio.file.FileAlreadyExistsException when it exists
   */
  public static FileChannel createNew(Path file) throws IOException {
    return FileChannel.open(
        file,
        EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
        PosixFilePermissions.asFileAttribute(FILE_MODE));
  }

  /**
   * Writes {@code data} to {@code target} all or nothing (replacing an existing file).
   *
   * @throws DbJobsException DISK_FULL when the disk is full, CATALOG_ERROR otherwise; the temp file
   *     is removed
   */
  public static void write(Path target, byte[] data) {
    Path tmp = target.resolveSibling("." + target.getFileName() + ".tmp-" + UUID.randomUUID());
    try {
      try (FileChannel ch = createNew(tmp)) {
        ByteBuffer b = ByteBuffer.wrap(data);
        while (b.hasRemaining()) {
          ch.write(b);
        }
        ch.force(true);
      }
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      syncDirectory(target.getParent());
    } catch (IOException e) {
      deleteQuietly(tmp);
      throw failure("writing " + target + " failed", e);
    }
  }

  /** Fsyncs a folder so renames and creations in it are durable, where the file system allows. */
  public static void syncDirectory(Path dir) {
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      d.force(true);
    } catch (IOException e) {
      LOG.debug("fsync of directory {} not possible: {}", dir, e.toString());
    }
  }

  /**
   * Deletes a folder and everything in it; a missing folder is fine.
   *
   * @throws DbJobsException CATALOG_ERROR naming what could not be deleted
   */
  public static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    List<Path> paths;
    try (Stream<Path> s = Files.walk(dir)) {
      paths = s.sorted(Comparator.reverseOrder()).toList();
    } catch (NoSuchFileException e) {
      return;
    } catch (IOException e) {
      throw failure("cannot list " + dir + " to delete it", e);
    }
    for (Path p : paths) {
      try {
        Files.deleteIfExists(p);
      } catch (IOException e) {
        throw failure("cannot delete " + p, e);
      }
    }
  }

  /** {@link #deleteTree} that logs instead of throwing (for abort paths). */
  static boolean deleteTreeQuietly(Path dir) {
    try {
      deleteTree(dir);
      return true;
    } catch (DbJobsException e) {
      LOG.error("{}; remove {} by hand", e.getMessage(), dir);
      return false;
    }
  }

  public static void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      LOG.warn("could not delete {}: {}", file, e.toString());
    }
  }

  /** CATALOG_ERROR naming the path, or DISK_FULL when the disk or quota is full. */
  public static DbJobsException failure(String what, IOException e) {
    String m = String.valueOf(e.getMessage());
    String lower = m.toLowerCase(Locale.ROOT);
    if (lower.contains("no space left") || lower.contains("quota exceeded")) {
      return new DbJobsException(
          ErrorCode.DISK_FULL,
          what + ": " + m + " (the catalog's disk is full: free space or lower retention, retry)",
          e);
    }
    return new DbJobsException(
        ErrorCode.CATALOG_ERROR, what + ": " + DbJobsException.describe(e), e);
  }
}
