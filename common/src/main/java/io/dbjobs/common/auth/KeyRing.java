package io.dbjobs.common.auth;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The job keys of one node, as kept in its key file: the first key is the current one (the manager
 * seals new jobs with it), every key verifies (so jobs sealed before a rotation still run). The
 * same file content lives on the manager ({@code keys.dir/<node>.keys}) and on the node ({@code
 * keys.file} of agent.yml). Format, one item per line, {@code #} comments allowed:
 *
 * <pre>
 * node db2
 * key 3q2+7w...=   (current)
 * key Zm9v...=     (previous, still accepted)
 * </pre>
 *
 * The {@code node} line makes a key file copied to the wrong node fail loudly at start instead of
 * failing every job.
 */
public final class KeyRing {
  /** How many keys a ring keeps: the current one and the one before it. */
  public static final int MAX_KEYS = 2;

  private final String node;
  private final List<JobKey> keys;

  public KeyRing(String node, List<JobKey> keys) {
    if (keys.isEmpty()) {
      throw new DbJobsException(ErrorCode.CONFIG_INVALID, "the key ring of " + node + " is empty");
    }
    this.node = node;
    this.keys = List.copyOf(keys);
  }

  /** A ring with one fresh key. */
  public static KeyRing generate(String node) {
    return new KeyRing(node, List.of(JobKey.generate()));
  }

  public String node() {
    return node;
  }

  /** The key new seals are made with. */
  public JobKey current() {
    return keys.get(0);
  }

  public List<JobKey> keys() {
    return keys;
  }

  public Optional<JobKey> byId(String id) {
    return keys.stream().filter(k -> k.id().equals(id)).findFirst();
  }

  /** The fingerprints of the keys, current first: safe to print. */
  public List<String> ids() {
    return keys.stream().map(JobKey::id).toList();
  }

  /** This ring with {@code next} as its current key, keeping {@code previous} as the only other. */
  public KeyRing rotatedTo(JobKey next, JobKey previous) {
    List<JobKey> out = new ArrayList<>();
    out.add(next);
    if (!previous.equals(next)) {
      out.add(previous);
    }
    return new KeyRing(node, out);
  }

  /**
   * Reads a key file.
   *
   * @param expectedNode the node this process is (agent) or seals for (manager)
   * @throws DbJobsException CONFIG_INVALID naming the file and the problem: missing, unreadable,
   *     malformed, for another node, or readable by everyone
   */
  public static KeyRing load(Path file, String expectedNode) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new DbJobsException(
          ErrorCode.CONFIG_INVALID,
          "the job key file "
              + file
              + " of node "
              + expectedNode
              + " does not exist; create it on the manager with `dbjobs keys init --node "
              + expectedNode
              + "` and copy it to the node (docs/security.md)",
          e);
    } catch (AccessDeniedException e) {
      throw new DbJobsException(
          ErrorCode.CONFIG_INVALID,
          "cannot read the job key file " + file + ": permission denied for this user",
          e);
    } catch (IOException e) {
      throw new DbJobsException(
          ErrorCode.CONFIG_INVALID, "cannot read the job key file " + file + ": " + e, e);
    }
    checkNotWorldReadable(file);
    String node = null;
    List<JobKey> keys = new ArrayList<>();
    int n = 0;
    for (String raw : lines) {
      n++;
      String line = raw.strip();
      int hash = line.indexOf('#');
      if (hash >= 0) {
        line = line.substring(0, hash).strip();
      }
      if (line.isEmpty()) {
        continue;
      }
      String[] parts = line.split("\\s+");
      if (parts.length == 2 && parts[0].equals("node")) {
        node = parts[1];
      } else if (parts.length == 2 && parts[0].equals("key")) {
        try {
          keys.add(JobKey.fromBase64(parts[1]));
        } catch (DbJobsException e) {
          throw new DbJobsException(
              ErrorCode.CONFIG_INVALID, file + " line " + n + ": " + e.getMessage(), e);
        }
      } else {
        throw new DbJobsException(
            ErrorCode.CONFIG_INVALID,
            file
                + " line "
                + n
                + ": expected 'node <name>' or 'key <base64>' (the line is not shown: it may hold"
                + " a key)");
      }
    }
    if (node == null) {
      throw new DbJobsException(
          ErrorCode.CONFIG_INVALID, file + " has no 'node <name>' line: it is not a job key file");
    }
    if (!node.equals(expectedNode)) {
      throw new DbJobsException(
          ErrorCode.CONFIG_INVALID,
          file
              + " holds the job keys of node "
              + node
              + ", not of "
              + expectedNode
              + ": install the file made for "
              + expectedNode);
    }
    if (keys.isEmpty()) {
      throw new DbJobsException(ErrorCode.CONFIG_INVALID, file + " holds no 'key' line");
    }
    return new KeyRing(node, keys);
  }

  /**
   * Writes the ring to {@code file} atomically and durably: a 0600 temporary file in the same
   * folder, fsynced, renamed over the old one, then the folder fsynced.
   */
  public void write(Path file) {
    Path dir = file.toAbsolutePath().getParent();
    Path tmp = dir.resolve("." + file.getFileName() + ".tmp");
    StringBuilder text =
        new StringBuilder(
            "# dbjobs job keys (docs/security.md): the first key seals new jobs, every key\n"
                + "# verifies. Keep this file readable only by dbjobs, never by the database"
                + " server's user.\n");
    text.append("node ").append(node).append('\n');
    for (JobKey k : keys) {
      text.append("key ").append(k.toBase64()).append("   # ").append(k.id()).append('\n');
    }
    try {
      Files.createDirectories(dir);
      Files.deleteIfExists(tmp);
      Files.createFile(
          tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        ch.write(java.nio.ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.UTF_8)));
        ch.force(true);
      }
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
        d.force(true);
      }
    } catch (IOException e) {
      throw new DbJobsException(
          ErrorCode.INTERNAL, "cannot write the job key file " + file + ": " + e, e);
    }
  }

  private static void checkNotWorldReadable(Path file) {
    try {
      Set<PosixFilePermission> p = Files.getPosixFilePermissions(file);
      if (p.contains(PosixFilePermission.OTHERS_READ)) {
        throw new DbJobsException(
            ErrorCode.CONFIG_INVALID,
            "the job key file "
                + file
                + " is readable by everyone ("
                + PosixFilePermissions.toString(p)
                + "); make it readable only by dbjobs: chmod 600 "
                + file);
      }
    } catch (UnsupportedOperationException e) {
      // not a POSIX filesystem: there are no mode bits to check
    } catch (IOException e) {
      throw new DbJobsException(
          ErrorCode.CONFIG_INVALID, "cannot read the permissions of " + file + ": " + e, e);
    }
  }

  @Override
  public String toString() {
    return "KeyRing["
        + node
        + ": "
        + keys.stream().map(JobKey::id).collect(Collectors.joining(", "))
        + "]";
  }
}
