package io.dbjobs.agent.task.reseed;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * File operations that survive a crash or power loss: content forced to disk before it is relied
 * on, directories forced after an entry was created, renamed or removed in them (as SQLite and
 * PostgreSQL do), and renames that never replace an existing name.
 */
final class DurableFiles {
  private DurableFiles() {}

  /** Forces a directory's entries (a rename or create in it) to disk. */
  static void syncDirectory(Path dir) throws IOException {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    }
  }

  /**
   * Writes {@code content} to {@code target} so that after a crash the file holds either nothing
   * (it does not exist) or all of it: a temporary sibling, forced, renamed over the target, the
   * folder forced. The file is private to the agent (0600).
   */
  static void writeAtomically(Path target, byte[] content) throws IOException {
    Path dir = target.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path tmp = dir.resolve(target.getFileName() + ".tmp");
    Files.deleteIfExists(tmp);
    Files.createFile(
        tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
      ByteBuffer b = ByteBuffer.wrap(content);
      while (b.hasRemaining()) {
        ch.write(b);
      }
      ch.force(true);
    }
    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    syncDirectory(dir);
  }

  /**
   * Renames {@code from} to {@code to} (same filesystem), never over an existing name: an existing
   * {@code to} is refused before anything moves. With the server stopped, the agent is the only
   * writer of both folders, so nothing can appear between the check and the rename.
   *
   * @throws FileAlreadyExistsException when {@code to} exists
   * @throws NoSuchFileException when {@code from} does not exist
   */
  static void renameNoReplace(Path from, Path to) throws IOException {
    if (Files.exists(to, LinkOption.NOFOLLOW_LINKS)) {
      throw new FileAlreadyExistsException(
          from.toString(), to.toString(), "the target exists; a rename never replaces anything");
    }
    if (!Files.exists(from, LinkOption.NOFOLLOW_LINKS)) {
      throw new NoSuchFileException(from.toString());
    }
    // ATOMIC_MOVE: a plain rename(2), never a copy-and-delete across filesystems
    Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
  }

  /** Deletes a file and forces its folder; nothing when it does not exist. */
  static void deleteDurably(Path file) throws IOException {
    if (Files.deleteIfExists(file)) {
      syncDirectory(file.toAbsolutePath().getParent());
    }
  }

  /** The names in a directory, sorted (empty when it does not exist). */
  static List<String> names(Path dir) throws IOException {
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  /** Deletes a tree (symbolic links are removed, never followed); nothing when absent. */
  static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
