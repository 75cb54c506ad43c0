package io.dbjobs.manager.daemon;

import io.dbjobs.manager.config.ManagerConfig;
import io.dbjobs.testkit.ConfigFiles;
import io.dbjobs.testkit.DbServer;
import io.dbjobs.testkit.DbUsers;
import io.dbjobs.testkit.FreePorts;
import io.dbjobs.testkit.MariaDbCluster;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Real nodes with the dbjobs users of sql/grants.sql, an API token and a manager password in 0600
 * files, and manager.yml files for daemons started in this JVM or as processes.
 */
public final class ServeFixture implements AutoCloseable {
  public static final String AGENT_PASSWORD = "agent-" + UUID.randomUUID();
  public static final String MANAGER_PASSWORD = "manager-" + UUID.randomUUID();
  public static final String API_TOKEN = "api-" + UUID.randomUUID();

  public final MariaDbCluster cluster;
  public final String name;
  public final Path dir;
  public final Path passwordFile;
  public final Path tokenFile;
  public final int apiPort = FreePorts.next();
  private final List<ManagerDaemon> daemons = new ArrayList<>();
  private final HttpClient http = HttpClient.newHttpClient();

  public ServeFixture(String prefix, int size, Path dir) {
    this.name = prefix;
    this.dir = dir;
    this.cluster = MariaDbCluster.start(prefix, size);
    try {
      for (DbServer s : cluster.nodes()) {
        DbUsers.create(s, AGENT_PASSWORD, MANAGER_PASSWORD, false);
      }
      passwordFile = ConfigFiles.secret(dir, "manager.password", MANAGER_PASSWORD);
      tokenFile = ConfigFiles.secret(dir, "api.token", API_TOKEN);
    } catch (RuntimeException e) {
      cluster.close();
      throw e;
    }
  }

  public DbServer node(int oneBased) {
    return cluster.node(oneBased);
  }

  public String apiUrl() {
    return "http://127.0.0.1:" + apiPort;
  }

  /**
   * manager.yml for this cluster, its API on {@link #apiPort} with the token, the watchdog every
   * 500 ms; {@code clusterExtra} is indented under the cluster (e.g. schedules), {@code extra}
   * appended at the top level.
   */
  public Path writeConfig(String file, String clusterExtra, String extra) {
    return writeConfig(file, apiPort, clusterExtra, extra);
  }

  /** As {@link #writeConfig(String, String, String)}, the API on {@code port}. */
  public Path writeConfig(String file, int port, String clusterExtra, String extra) {
    return writeConfig(file, port, "", clusterExtra, extra);
  }

  /**
   * As {@link #writeConfig(String, String, String)}, with {@code apiKeys} (e.g. {@code
   * "headerTimeout: 4s\n"}) added under {@code api:}.
   */
  public Path writeConfigWithApiKeys(
      String file, String apiKeys, String clusterExtra, String extra) {
    return writeConfig(file, apiPort, apiKeys, clusterExtra, extra);
  }

  private Path writeConfig(
      String file, int port, String apiKeys, String clusterExtra, String extra) {
    StringBuilder sb = new StringBuilder();
    sb.append("catalog:\n  dir: ").append(dir.resolve("catalog")).append('\n');
    sb.append("connectTimeout: 1s\n");
    sb.append("api:\n  url: http://127.0.0.1:").append(port).append('\n');
    sb.append("  port: ").append(port).append('\n');
    sb.append("  token: {file: ").append(tokenFile).append("}\n");
    sb.append(apiKeys.indent(2));
    sb.append("watchdog:\n  interval: 500ms\n");
    sb.append("clusters:\n  - name: ").append(name).append('\n');
    sb.append("    credentials:\n      user: ").append(DbUsers.MANAGER).append('\n');
    sb.append("      password: {file: ").append(passwordFile).append("}\n");
    sb.append("    nodes:\n");
    for (DbServer n : cluster.nodes()) {
      sb.append("      - {name: ")
          .append(n.name())
          .append(", host: ")
          .append(n.host())
          .append(", port: ")
          .append(n.port())
          .append("}\n");
    }
    sb.append(clusterExtra.indent(4));
    sb.append(ConfigFiles.receiverUnlessSet(extra));
    sb.append(ConfigFiles.keysUnlessSet(extra, cluster.nodes()));
    sb.append(extra);
    return ConfigFiles.write(dir.resolve(file), sb.toString());
  }

  public static ManagerConfig load(Path file) {
    return ManagerConfig.load(file, System::getenv);
  }

  /** Starts a daemon in this JVM; stopped by {@link #close()} if the test does not. */
  public ManagerDaemon start(Path config, DaemonIntegrations integrations) {
    ManagerDaemon d = ManagerDaemon.start(load(config), integrations);
    daemons.add(d);
    return d;
  }

  /** A request to the API; {@code token} null sends none. */
  public HttpResponse<String> call(String method, String path, String token, String body) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(apiUrl() + path));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    b.method(
        method,
        body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body));
    try {
      return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  public HttpResponse<String> get(String path) {
    return call("GET", path, API_TOKEN, null);
  }

  public HttpResponse<String> post(String path, String body) {
    return call("POST", path, API_TOKEN, body);
  }

  @Override
  public void close() {
    daemons.forEach(d -> d.stop("test over"));
    cluster.close();
  }
}
