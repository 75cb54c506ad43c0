package io.dbjobs.manager.keys;

import io.dbjobs.common.auth.JobSealer;
import io.dbjobs.common.auth.KeyRing;
import io.dbjobs.manager.config.SecurityConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The manager's job keys, one ring per node, from {@code security.keysDir/<node>.keys}: read on
 * first use (a missing file fails the enqueue with how to create it), replaced by a rotation.
 */
public final class NodeKeyRings {
  private final SecurityConfig config;
  private final Clock clock;
  private final Map<String, Loaded> rings = new ConcurrentHashMap<>();

  /** A ring as read, with the file's modification time then. */
  private record Loaded(KeyRing ring, FileTime modified) {}

  public NodeKeyRings(SecurityConfig config, Clock clock) {
    this.config = config;
    this.clock = clock;
  }

  public SecurityConfig config() {
    return config;
  }

  /**
   * The ring of {@code node}.
   *
   * @throws io.dbjobs.common.DbJobsException CONFIG_INVALID naming the file and how to create it
   */
  public KeyRing ring(String node) {
    Path file = config.keyFile(node);
    FileTime now = modified(file);
    Loaded l = rings.get(node);
    if (l == null || !l.modified().equals(now)) {
      // first use, or another process (a CLI's rotation, an operator) replaced the file
      l = new Loaded(KeyRing.load(file, node), now);
      rings.put(node, l);
    }
    return l.ring();
  }

  private static FileTime modified(Path file) {
    try {
      return Files.getLastModifiedTime(file);
    } catch (java.nio.file.NoSuchFileException e) {
      return FileTime.fromMillis(0); // KeyRing.load says what is missing and how to create it
    } catch (java.io.IOException e) {
      throw new io.dbjobs.common.DbJobsException(
          io.dbjobs.common.ErrorCode.CONFIG_INVALID, "cannot read " + file + ": " + e, e);
    }
  }

  /** Whether {@code node} has a key file. */
  public boolean exists(String node) {
    return Files.exists(config.keyFile(node));
  }

  /** A sealer for the jobs of {@code node}. */
  public JobSealer sealer(String node) {
    return new JobSealer(ring(node), config.jobValidity(), clock);
  }

  /** Writes {@code ring} to its node's key file (durably, 0600) and uses it from now on. */
  public synchronized void replace(KeyRing ring) {
    Path file = config.keyFile(ring.node());
    ring.write(file);
    rings.put(ring.node(), new Loaded(KeyRing.load(file, ring.node()), modified(file)));
  }
}
