package io.dbjobs.testkit;

import java.util.Locale;

/**
 * Where test servers run: {@code local} processes (the default; needs MariaDB installed) or {@code
 * docker} containers through Testcontainers (needs a Docker engine; tests are skipped with a
 * message when none runs). Chosen with {@code -Ddbjobs.it.backend=local|docker}.
 */
public interface DbBackend {
  DbServer start(String name, int serverId, ServerOptions options);

  /**
   * The host and port a replica uses to reach {@code primary} (differs inside a container network).
   */
  String replicationHost(DbServer primary);

  int replicationPort(DbServer primary);

  String replicationUser();

  String replicationPassword();

  String name();

  /** The backend named by {@code dbjobs.it.backend}, default local. */
  static DbBackend fromSystemProperty() {
    String b = System.getProperty("dbjobs.it.backend", "local").trim().toLowerCase(Locale.ROOT);
    return switch (b) {
      case "", "local" -> local();
      case "docker", "testcontainers" -> DockerBackend.requireDocker();
      default ->
          throw new IllegalArgumentException(
              "-Ddbjobs.it.backend=" + b + " is not a backend; use local or docker");
    };
  }

  static DbBackend local() {
    return LocalBackend.INSTANCE;
  }
}
