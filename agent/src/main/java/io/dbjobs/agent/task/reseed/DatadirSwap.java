package io.dbjobs.agent.task.reseed;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Replaces a datadir's contents with prepared new data, and puts the old contents back on demand.
 * It moves the datadir's entries (renames on one filesystem), never the datadir itself, so its
 * owner, mode and mount stay as they are. A journal written before the first move lets an agent
 * that died halfway put the old data back when it starts again ({@link #pending}).
 */
public final class DatadirSwap {
  private static final Logger LOG = LoggerFactory.getLogger(DatadirSwap.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** What the journal holds: enough to roll back after a crash. */
  public record Journal(
      long jobId, String owner, String datadir, String newData, String oldData, String state) {}

  private final Path datadir;
  private final Path newData;
  private final Path oldData;
  private final Path journalFile;
  private final long jobId;
  private final String owner;

  public DatadirSwap(
      Path datadir, Path newData, Path oldData, Path journalFile, long jobId, String owner) {
    this.datadir = datadir;
    this.newData = newData;
    this.oldData = oldData;
    this.journalFile = journalFile;
    this.jobId = jobId;
    this.owner = owner;
  }

  private DatadirSwap(Journal j, Path journalFile) {
    this(
        Path.of(j.datadir()),
        Path.of(j.newData()),
        Path.of(j.oldData()),
        journalFile,
        j.jobId(),
        j.owner());
  }

  public Path oldData() {
    return oldData;
  }

  /** Moves the old contents aside and the new ones in. On failure the old contents are put back. */
  public void swapIn() {
    write("swapping");
    try {
      Files.createDirectories(oldData);
      moveEntries(datadir, oldData);
      moveEntries(newData, datadir);
      write("swapped");
    } catch (IOException | RuntimeException e) {
      DbJobsException failed =
          new DbJobsException(
              ErrorCode.RESTORE_FAILED,
              "moving the new data into " + datadir + " failed: " + DbJobsException.describe(e),
              e);
      try {
        rollBack();
      } catch (RuntimeException r) {
        failed.addSuppressed(r);
        throw new DbJobsException(
            ErrorCode.RESTORE_FAILED,
            failed.getMessage()
                + "; putting the old data back failed too ("
                + r.getMessage()
                + "): the old data is in "
                + oldData
                + ", move its contents back into "
                + datadir
                + " by hand",
            failed);
      }
      throw failed;
    }
  }

  /**
   * Puts the old contents back: whatever is in the datadir now (new data, partly moved or not) goes
   * back to the new-data folder, then the old contents return. Idempotent.
   */
  public void rollBack() {
    write("rolling back");
    try {
      Files.createDirectories(newData);
      if (Files.isDirectory(oldData)) {
        moveEntries(datadir, newData);
        moveEntries(oldData, datadir);
        Files.deleteIfExists(oldData);
      }
      Files.deleteIfExists(journalFile);
      LOG.info("old data of {} put back from {}", datadir, oldData);
    } catch (IOException e) {
      throw new DbJobsException(
          ErrorCode.RESTORE_FAILED,
          "putting the old data back into "
              + datadir
              + " from "
              + oldData
              + " failed: "
              + DbJobsException.describe(e),
          e);
    }
  }

  /** The new data serves: forget the journal, and delete the old contents unless kept. */
  public void commit(boolean keepOld) {
    try {
      Files.deleteIfExists(journalFile);
      if (!keepOld) {
        deleteTree(oldData);
      }
      deleteTree(newData);
    } catch (IOException e) {
      throw new DbJobsException(
          ErrorCode.INTERNAL,
          "the reseed succeeded but cleaning up " + oldData + " failed: " + e.getMessage(),
          e);
    }
  }

  /** Swaps an agent left unfinished (it died between the first move and the commit). */
  public static List<DatadirSwap> pending(Path journalDir) {
    List<DatadirSwap> out = new ArrayList<>();
    if (!Files.isDirectory(journalDir)) {
      return out;
    }
    try (DirectoryStream<Path> s = Files.newDirectoryStream(journalDir, "*.swap.json")) {
      for (Path f : s) {
        out.add(new DatadirSwap(JSON.readValue(f.toFile(), Journal.class), f));
      }
    } catch (IOException e) {
      throw new DbJobsException(
          ErrorCode.INTERNAL, "cannot read the swap journals in " + journalDir + ": " + e, e);
    }
    return out;
  }

  public long jobId() {
    return jobId;
  }

  public String owner() {
    return owner;
  }

  public Path datadir() {
    return datadir;
  }

  private void write(String state) {
    try {
      Files.createDirectories(journalFile.getParent());
      Path tmp = journalFile.resolveSibling(journalFile.getFileName() + ".tmp");
      JSON.writeValue(
          tmp.toFile(),
          new Journal(
              jobId, owner, datadir.toString(), newData.toString(), oldData.toString(), state));
      Files.move(
          tmp, journalFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new DbJobsException(
          ErrorCode.RESTORE_FAILED, "cannot write the swap journal " + journalFile + ": " + e, e);
    }
  }

  private static void moveEntries(Path from, Path to) throws IOException {
    if (!Files.isDirectory(from)) {
      return;
    }
    List<Path> entries;
    try (Stream<Path> s = Files.list(from)) {
      entries = s.toList();
    }
    for (Path e : entries) {
      Files.move(e, to.resolve(e.getFileName()), StandardCopyOption.ATOMIC_MOVE);
    }
  }

  static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  /** The journal file of a job in {@code journalDir}. */
  public static Path journalFile(Path journalDir, long jobId) {
    return journalDir.resolve(jobId + ".swap.json");
  }

  static Optional<Journal> read(Path journalFile) {
    try {
      return Files.exists(journalFile)
          ? Optional.of(JSON.readValue(journalFile.toFile(), Journal.class))
          : Optional.empty();
    } catch (IOException e) {
      throw new DbJobsException(ErrorCode.INTERNAL, "cannot read " + journalFile + ": " + e, e);
    }
  }
}
