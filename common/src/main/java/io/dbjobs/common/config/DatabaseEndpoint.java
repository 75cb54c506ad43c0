package io.dbjobs.common.config;

import io.dbjobs.common.db.DbTls;
import io.dbjobs.common.net.HostPort;
import java.nio.file.Path;
import java.util.Objects;

/**
 * How to reach one database server: TCP host and port, or a Unix socket, with a user and a password
 * given by reference, and TLS ({@link DbTls}, default {@code preferred}). Prints without its
 * password.
 *
 * @param socket Unix socket path, or null to use TCP
 * @param password null for passwordless authentication (unix_socket)
 */
public record DatabaseEndpoint(
    String host, int port, Path socket, String user, Secret password, DbTls tls) {
  public static final int DEFAULT_PORT = 3306;

  public DatabaseEndpoint {
    Objects.requireNonNull(tls, "tls");
  }

  /** An endpoint with TLS when the server offers it ({@link DbTls#PREFERRED}). */
  public DatabaseEndpoint(String host, int port, Path socket, String user, Secret password) {
    this(host, port, socket, user, password, DbTls.PREFERRED);
  }

  /**
   * Reads {@code host} (a host name or IP address, checked by {@link HostPort}), {@code port},
   * {@code socket}, {@code user}, {@code password}, {@code tls} and {@code ca} ({@link DbTls}).
   */
  public static DatabaseEndpoint read(ConfigTree t, String defaultUser, boolean hostRequired) {
    Path socket = t.path("socket", null);
    String host =
        hostRequired && socket == null
            ? t.requiredString("host", "the address of the database server")
            : t.string("host", "127.0.0.1");
    if (host != null) {
      String problem = HostPort.problemWithHost(host);
      if (problem != null) {
        t.problems().add(t.keyOf("host"), problem);
      }
    }
    int port = t.integer("port", DEFAULT_PORT, 1, 65535);
    String user = t.string("user", defaultUser);
    Secret password = t.secret("password", false);
    DbTls tls = DbTls.read(t);
    return new DatabaseEndpoint(host, port, socket, user, password, tls);
  }

  /** The same server with other TLS settings. */
  public DatabaseEndpoint withTls(DbTls other) {
    return new DatabaseEndpoint(host, port, socket, user, password, other);
  }

  /** user@host:port or user@socket, for messages. */
  public String describe() {
    return user + "@" + (socket != null ? socket.toString() : host + ":" + port);
  }

  @Override
  public String toString() {
    return "DatabaseEndpoint[" + describe() + ", password=" + password + ", tls=" + tls + "]";
  }
}
