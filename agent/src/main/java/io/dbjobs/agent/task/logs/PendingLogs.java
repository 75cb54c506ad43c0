package io.dbjobs.agent.task.logs;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The rotated copies of a log that wait to be sent: {@code <log>.dbjobs-<job id>}, next to the log.
 * A collecting job renames the log to such a name (the server keeps writing to the renamed file
 * until it is told to reopen its log), sends every pending copy, and deletes the copies only once
 * the receiver acknowledged them; copies of a failed stream stay and go with the next job.
 */
final class PendingLogs {
  static final String MARK = ".dbjobs-";

  private final Path log;

  PendingLogs(Path log) {
    this.log = log;
  }

  Path log() {
    return log;
  }

  /** The pending copies, oldest first (by last write, then name). */
  List<Path> list() {
    Path dir = log.getParent();
    String prefix = log.getFileName() + MARK;
    List<Path> out = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, p -> isPending(p, prefix))) {
      ds.forEach(out::add);
    } catch (IOException e) {
      throw failure("list the rotated copies of " + log + " in " + dir, e);
    }
    out.sort(Comparator.comparing(PendingLogs::modified).thenComparing(Path::toString));
    return out;
  }

  private static boolean isPending(Path p, String prefix) {
    return p.getFileName().toString().startsWith(prefix) && Files.isRegularFile(p);
  }

  private static FileTime modified(Path p) {
    try {
      return Files.getLastModifiedTime(p);
    } catch (IOException e) {
      return FileTime.fromMillis(0); // vanished meanwhile; sorts first and fails when opened
    }
  }

  /**
   * Renames the log to a pending copy for {@code jobId}.
   *
   * @return the copy
   */
  Path rotate(long jobId) {
    Path target = log.resolveSibling(log.getFileName() + MARK + jobId);
    if (Files.exists(target)) {
      target = log.resolveSibling(log.getFileName() + MARK + jobId + "-" + System.nanoTime());
    }
    try {
      return Files.move(log, target, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw failure("rename " + log + " to " + target.getFileName(), e);
    }
  }

  /** Undoes {@link #rotate}: the copy gets the log's name back (the log must not exist). */
  void unrotate(Path copy) {
    try {
      Files.move(copy, log, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw failure("rename " + copy + " back to " + log.getFileName(), e);
    }
  }

  /**
   * Deletes sent copies.
   *
   * @return the copies that could not be deleted (they will be sent again, never lost)
   */
  List<Path> delete(List<Path> sent) {
    List<Path> left = new ArrayList<>();
    for (Path p : sent) {
      try {
        Files.deleteIfExists(p);
      } catch (IOException e) {
        left.add(p);
      }
    }
    return left;
  }

  /** PERMISSION_DENIED with what the agent's user needs, or INTERNAL naming the operation. */
  static DbJobsException failure(String what, IOException e) {
    if (e instanceof AccessDeniedException) {
      return new DbJobsException(
          ErrorCode.PERMISSION_DENIED,
          "cannot "
              + what
              + ": permission denied; the agent's system user needs to read the server's logs"
              + " and, to rotate them, to write their folder (e.g. add it to the mysql group and"
              + " make the folder group-writable)",
          e);
    }
    return new DbJobsException(
        ErrorCode.INTERNAL, "cannot " + what + ": " + DbJobsException.describe(e), e);
  }
}
