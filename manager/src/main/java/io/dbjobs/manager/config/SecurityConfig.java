package io.dbjobs.manager.config;

import io.dbjobs.common.config.ConfigTree;
import io.dbjobs.common.time.Durations;
import java.nio.file.Path;
import java.time.Duration;

/**
 * How the manager authenticates the jobs it enqueues (docs/security.md).
 *
 * @param keysDir {@code security.keysDir}, default {@code /var/lib/dbjobs/keys}: one key file per
 *     node, {@code <node>.keys}, holding the keys that node's agent also holds; {@code dbjobs keys
 *     init} creates them, {@code dbjobs keys rotate} replaces them. Readable only by the manager.
 * @param jobValidity {@code security.jobValidity}, default 24h: how long after it is enqueued a job
 *     may still start; an agent refuses a job whose seal has expired
 */
public record SecurityConfig(Path keysDir, Duration jobValidity) {
  public static SecurityConfig defaults() {
    return new SecurityConfig(Path.of("/var/lib/dbjobs/keys"), Duration.ofHours(24));
  }

  static SecurityConfig read(ConfigTree t) {
    SecurityConfig d = defaults();
    return new SecurityConfig(
        t.path("keysDir", d.keysDir()),
        t.duration("jobValidity", d.jobValidity(), Duration.ofMinutes(1)));
  }

  /** The key file of {@code node}. */
  public Path keyFile(String node) {
    return keysDir.resolve(node + ".keys");
  }

  String describe() {
    return "security: keysDir=" + keysDir + " jobValidity=" + Durations.human(jobValidity);
  }
}
