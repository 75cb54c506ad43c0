package io.dbjobs.common.config;

import java.nio.file.Path;

/**
 * How to reach one database server: TCP host and port, or a Unix socket, with a user and a password
 * given by reference. Prints without its password.
 *
 * @param socket Unix socket path, or null to use TCP
 * @param password null for passwordless authentication (unix_socket)
 */
public record DatabaseEndpoint(String host, int port, Path socket, String user, Secret password) {
  public static final int DEFAULT_PORT = 3306;

  /** Reads {@code host}, {@code port}, {@code socket}, {@code user}, {@code password}. */
  public static DatabaseEndpoint read(ConfigTree t, String defaultUser, boolean hostRequired) {
    Path socket = t.path("socket", null);
    String host =
        hostRequired && socket == null
            ? t.requiredString("host", "the address of the database server")
            : t.string("host", "127.0.0.1");
    int port = t.integer("port", DEFAULT_PORT, 1, 65535);
    String user = t.string("user", defaultUser);
    Secret password = t.secret("password", false);
    return new DatabaseEndpoint(host, port, socket, user, password);
  }

  /** user@host:port or user@socket, for messages. */
  public String describe() {
    return user + "@" + (socket != null ? socket.toString() : host + ":" + port);
  }

  @Override
  public String toString() {
    return "DatabaseEndpoint[" + describe() + ", password=" + password + "]";
  }
}
