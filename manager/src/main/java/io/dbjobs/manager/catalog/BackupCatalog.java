package io.dbjobs.manager.catalog;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.stream.SinkFactory;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The backups on the manager's disk: {@code <root>/<cluster>/<node>/<backup-id>/} holding the data
 * file and, written last, {@code manifest.json}. A folder is reserved (created) before its stream
 * arrives; a failed stream's folder is removed entirely. Reading never trusts a folder without a
 * manifest: it is listed as incomplete and never offered for restore.
 *
 * <p>Safe to use from several threads and processes: reservations are atomic folder creations,
 * manifests and verification records are atomic renames, and deleting a backup removes its manifest
 * first, so a half-deleted backup is merely incomplete.
 */
public final class BackupCatalog {
  private static final Logger LOG = LoggerFactory.getLogger(BackupCatalog.class);
  private static final Comparator<BackupEntry> NEWEST_FIRST =
      Comparator.comparing(BackupEntry::time).thenComparing(BackupEntry::id).reversed();

  private final Path root;
  private final Clock clock;

  public BackupCatalog(Path root) {
    this(root, Clock.systemUTC());
  }

  public BackupCatalog(Path root, Clock clock) {
    this.root = root.toAbsolutePath().normalize();
    this.clock = clock;
  }

  public Path root() {
    return root;
  }

  Clock clock() {
    return clock;
  }

  /** {@code <root>/<cluster>/<node>}: a node's backups (and its {@code logs/}). */
  public Path nodeDir(String cluster, String node) {
    return root.resolve(cluster).resolve(node);
  }

  /**
   * A folder reserved for a backup that is about to arrive.
   *
   * @param at when it was started: the id's time
   */
  public record Reservation(
      String cluster, String node, String id, BackupType type, Path dir, Instant at) {}

  /**
   * Reserves a new backup's folder: creates it under an id for {@code at}, or the next free second
   * when a backup of the same node and type already has that id.
   *
   * @throws DbJobsException DISK_FULL or CATALOG_ERROR when the folder cannot be created
   */
  public Reservation reserve(String cluster, String node, BackupType type, Instant at) {
    Path nodeDir = nodeDir(cluster, node);
    try {
      DurableFiles.createDirectories(nodeDir);
    } catch (IOException e) {
      throw DurableFiles.failure("cannot create the catalog folder " + nodeDir, e);
    }
    for (int i = 0; i < 3600; i++) {
      Instant t = at.plusSeconds(i);
      String id = BackupId.of(t, node, type);
      Path dir = nodeDir.resolve(id);
      try {
        DurableFiles.createDirectory(dir);
        DurableFiles.syncDirectory(nodeDir);
        return new Reservation(cluster, node, id, type, dir, at);
      } catch (FileAlreadyExistsException e) {
        // taken by another backup started the same second: try the next second
      } catch (IOException e) {
        throw DurableFiles.failure("cannot create the backup folder " + dir, e);
      }
    }
    throw new DbJobsException(
        ErrorCode.CATALOG_ERROR,
        "no free backup id for " + node + " near " + at + " in " + nodeDir);
  }

  /**
   * Removes a reservation whose backup did not complete (no manifest). A completed backup is left
   * alone.
   */
  public void release(Reservation r) {
    if (Files.exists(r.dir().resolve(Manifest.FILE))) {
      return;
    }
    if (DurableFiles.deleteTreeQuietly(r.dir())) {
      LOG.debug("released backup folder {}", r.dir());
    }
  }

  /**
   * The sink factory for a reserved backup's stream: it stores the data file, checks it against
   * what was asked for and what the agent says, and writes the manifest last; on any failure it
   * removes the folder.
   *
   * @param jobId the sending job's id, completed once the job was enqueued
   */
  public SinkFactory sink(Reservation r, DataLayout layout, CompletableFuture<Long> jobId) {
    return hello ->
        layout.parts()
            ? PartsCatalogSink.open(this, r, hello, jobId)
            : CatalogSink.open(this, r, layout, hello, jobId);
  }

  /** Every backup, complete or not, newest first. */
  public List<BackupEntry> list() {
    List<BackupEntry> out = new ArrayList<>();
    for (Path cluster : subdirs(root)) {
      for (Path node : subdirs(cluster)) {
        out.addAll(entries(cluster.getFileName().toString(), node.getFileName().toString(), node));
      }
    }
    out.sort(NEWEST_FIRST);
    return out;
  }

  /** The backups of one node, complete or not, newest first. */
  public List<BackupEntry> list(String cluster, String node) {
    List<BackupEntry> out = new ArrayList<>(entries(cluster, node, nodeDir(cluster, node)));
    out.sort(NEWEST_FIRST);
    return out;
  }

  /** The backup with this id, complete or not. */
  public Optional<BackupEntry> find(String id) {
    if (!BackupId.isId(id)) {
      return Optional.empty();
    }
    for (Path cluster : subdirs(root)) {
      for (Path node : subdirs(cluster)) {
        Path dir = node.resolve(id);
        if (Files.isDirectory(dir)) {
          return Optional.of(
              load(cluster.getFileName().toString(), node.getFileName().toString(), dir));
        }
      }
    }
    return Optional.empty();
  }

  /**
   * The backup with this id.
   *
   * @throws DbJobsException NOT_FOUND saying how to list backups
   */
  public BackupEntry require(String id) {
    return find(id)
        .orElseThrow(
            () ->
                new DbJobsException(
                    ErrorCode.NOT_FOUND,
                    "no backup '"
                        + id
                        + "' in the catalog "
                        + root
                        + (BackupId.isId(id)
                            ? ""
                            : " (ids look like 20261123T050102Z-db2-physical)")
                        + "; list them with: dbjobs backups"));
  }

  /**
   * Deletes a backup: its manifest first (so it is incomplete from that moment), then the rest.
   *
   * @throws DbJobsException CATALOG_ERROR naming what could not be deleted
   */
  public void delete(BackupEntry e) {
    try {
      Files.deleteIfExists(e.dir().resolve(Manifest.FILE));
    } catch (IOException x) {
      throw DurableFiles.failure("cannot delete the manifest of backup " + e.id(), x);
    }
    DurableFiles.syncDirectory(e.dir());
    DurableFiles.deleteTree(e.dir());
    LOG.info("deleted backup {} from {}", e.id(), e.dir().getParent());
  }

  /** Records the outcome of a verification next to the backup's manifest. */
  public BackupEntry recordVerification(BackupEntry e, Verification v) {
    DurableFiles.write(e.dir().resolve(Verification.FILE), CatalogJson.bytes(v));
    return load(e.cluster(), e.node(), e.dir());
  }

  /**
   * Completes a reserved backup whose data file is in place (an import): writes its manifest.
   *
   * @throws DbJobsException CATALOG_ERROR when the manifest does not match the reservation or its
   *     data file
   */
  public BackupEntry commit(Reservation r, Manifest m) {
    Path data = r.dir().resolve(m.dataFile());
    long size;
    try {
      size = Files.size(data);
    } catch (IOException e) {
      throw DurableFiles.failure("backup " + r.id() + " has no readable data file " + data, e);
    }
    if (!r.id().equals(m.id()) || size != m.bytes()) {
      throw new DbJobsException(
          ErrorCode.CATALOG_ERROR,
          "backup "
              + r.id()
              + ": the manifest ("
              + m.id()
              + ", "
              + m.bytes()
              + " bytes) does not match the folder ("
              + size
              + " bytes in "
              + data
              + ")");
    }
    writeManifest(r.dir(), m);
    return load(r.cluster(), r.node(), r.dir());
  }

  /** Writes a complete backup's manifest: the last step of storing it. */
  void writeManifest(Path dir, Manifest m) {
    DurableFiles.write(dir.resolve(Manifest.FILE), CatalogJson.bytes(m));
  }

  BackupEntry load(String cluster, String node, Path dir) {
    String id = dir.getFileName().toString();
    Manifest m = CatalogJson.read(dir.resolve(Manifest.FILE), Manifest.class);
    if (m != null && !id.equals(m.id())) {
      throw new DbJobsException(
          ErrorCode.CATALOG_ERROR,
          dir.resolve(Manifest.FILE)
              + " names backup '"
              + m.id()
              + "', not its folder's '"
              + id
              + "'; the catalog was edited by hand: fix or remove that folder");
    }
    Verification v =
        m == null ? null : CatalogJson.read(dir.resolve(Verification.FILE), Verification.class);
    return new BackupEntry(cluster, node, id, dir, m, v, lastModified(dir));
  }

  private List<BackupEntry> entries(String cluster, String node, Path nodeDir) {
    List<BackupEntry> out = new ArrayList<>();
    for (Path d : subdirs(nodeDir)) {
      if (BackupId.isId(d.getFileName().toString())) {
        try {
          out.add(load(cluster, node, d));
        } catch (DbJobsException e) {
          if (Files.isDirectory(d)) {
            throw e;
          }
          // deleted while listing: it is gone
        }
      }
    }
    return out;
  }

  private static List<Path> subdirs(Path dir) {
    List<Path> out = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, Files::isDirectory)) {
      for (Path p : ds) {
        if (!p.getFileName().toString().startsWith(".")) {
          out.add(p);
        }
      }
    } catch (NoSuchFileException e) {
      return out;
    } catch (IOException e) {
      throw DurableFiles.failure("cannot list the catalog folder " + dir, e);
    }
    out.sort(Comparator.naturalOrder());
    return out;
  }

  private static Instant lastModified(Path dir) {
    FileTime newest = FileTime.fromMillis(0);
    try (Stream<Path> s = Files.list(dir)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        try {
          FileTime t = Files.getLastModifiedTime(p);
          if (t.compareTo(newest) > 0) {
            newest = t;
          }
        } catch (IOException e) {
          // vanished while looking: ignore it
        }
      }
      FileTime own = Files.getLastModifiedTime(dir);
      if (own.compareTo(newest) > 0) {
        newest = own;
      }
    } catch (IOException e) {
      return Instant.EPOCH;
    }
    return newest.toInstant();
  }
}
