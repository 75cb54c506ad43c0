package io.dbjobs.agent.loop;

import io.dbjobs.common.auth.KeyRing;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;

/**
 * This node's job keys, from {@code keys.file}: read at start (a missing or foreign file stops the
 * agent with a message naming it), replaced atomically on disk and in memory by a {@code
 * rotate-key} job.
 */
public final class AgentKeys {
  private final Path file;
  private final String node;
  private final AtomicReference<KeyRing> ring;

  public AgentKeys(Path file, String node) {
    this.file = file;
    this.node = node;
    this.ring = new AtomicReference<>(KeyRing.load(file, node));
  }

  public KeyRing ring() {
    return ring.get();
  }

  public Path file() {
    return file;
  }

  public String node() {
    return node;
  }

  /** Writes {@code next} to the key file (durably), then uses it. */
  public synchronized void replace(KeyRing next) {
    next.write(file);
    ring.set(KeyRing.load(file, node));
  }
}
