package io.dbjobs.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * Job keys for the tests' managers and agents, one per node name for the whole test JVM, as an
 * operator's {@code dbjobs keys init} plus a copy to the node would leave them: the manager's files
 * in {@link #managerDir()} ({@code <node>.keys}) and each agent's own copy ({@link #agentFile}), in
 * the key file format of docs/security.md, mode 0600. (The testkit cannot use dbjobs' own KeyRing:
 * it is below common; KeyRingTest reads a file made here.)
 */
public final class TestKeys {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static Path dir;

  private TestKeys() {}

  /** The manager's {@code security.keysDir}. */
  public static synchronized Path managerDir() {
    if (dir == null) {
      try {
        dir = Files.createTempDirectory("dbjobs-keys-");
        Files.createDirectories(dir.resolve("agents"));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot create the tests' key folder", e);
      }
      Path d = dir;
      Runtime.getRuntime().addShutdownHook(new Thread(() -> Shell.deleteTree(d)));
    }
    return dir;
  }

  /**
   * The agent's {@code security.keyFile} for {@code node}, holding the same keys as the manager's.
   */
  public static synchronized Path agentFile(String node) {
    Path manager = managerFile(node);
    Path agent = managerDir().resolve("agents").resolve(node + ".keys");
    if (!Files.exists(agent)) {
      try {
        Files.copy(manager, agent, StandardCopyOption.COPY_ATTRIBUTES);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot copy the key file of " + node, e);
      }
    }
    return agent;
  }

  /** The manager's key file of {@code node}, created with one fresh key on first use. */
  public static synchronized Path managerFile(String node) {
    Path f = managerDir().resolve(node + ".keys");
    if (!Files.exists(f)) {
      byte[] key = new byte[32];
      RANDOM.nextBytes(key);
      write(f, "node " + node + "\nkey " + Base64.getEncoder().encodeToString(key) + "\n");
    }
    return f;
  }

  /** A key file for {@code node} with one fresh key nobody else holds (a wrong key). */
  public static Path foreignFile(Path dir, String node) {
    byte[] key = new byte[32];
    RANDOM.nextBytes(key);
    return write(
        dir.resolve("foreign-" + node + ".keys"),
        "node " + node + "\nkey " + Base64.getEncoder().encodeToString(key) + "\n");
  }

  private static Path write(Path f, String text) {
    try {
      Files.createDirectories(f.getParent());
      Files.writeString(f, text);
      Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
      return f;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the key file " + f, e);
    }
  }
}
