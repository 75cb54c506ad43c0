package io.dbjobs.testkit;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.MariaDBContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.utility.DockerImageName;

/**
 * MariaDB 10.11 containers through Testcontainers, on one Docker network so replicas reach the
 * primary by its alias. Where no Docker engine runs, {@link #requireDocker()} aborts the test with
 * a message (JUnit reports it as skipped). Containers have no datadir or service commands the test
 * can use: tests needing those call {@code assumeTrue(server.isLocal())}.
 */
final class DockerBackend implements DbBackend {
  static final String IMAGE = System.getProperty("dbjobs.it.image", "mariadb:10.11");
  private static final String ROOT_PASSWORD = "it-root-" + Long.toHexString(System.nanoTime());
  private static DockerBackend instance;

  private final Network network = Network.newNetwork();

  static synchronized DockerBackend requireDocker() {
    boolean available;
    String why = "";
    try {
      available = DockerClientFactory.instance().isDockerAvailable();
    } catch (RuntimeException | Error e) {
      available = false;
      why = " (" + e.getMessage() + ")";
    }
    Assumptions.assumeTrue(
        available,
        "skipped: the docker backend needs a running Docker engine and none was found"
            + why
            + "; the local backend (default) runs the same tests on local mariadbd processes");
    if (instance == null) {
      instance = new DockerBackend();
    }
    return instance;
  }

  @Override
  public DbServer start(String name, int serverId, ServerOptions options) {
    List<String> cmd = new ArrayList<>();
    cmd.add("--server-id=" + serverId);
    if (options.binlog()) {
      cmd.add("--log-bin=mysql-bin");
      cmd.add("--log-slave-updates=1");
      cmd.add("--binlog-format=ROW");
    }
    cmd.add("--gtid-strict-mode=1");
    for (String line : options.lines()) {
      cmd.add("--" + line);
    }
    MariaDBContainer<?> c =
        new MariaDBContainer<>(DockerImageName.parse(IMAGE))
            .withNetwork(network)
            .withNetworkAliases(name)
            .withUsername("root")
            .withPassword(ROOT_PASSWORD)
            .withCommand(cmd.toArray(String[]::new));
    c.start();
    ContainerServer s = new ContainerServer(name, serverId, c);
    s.execute(
        "CREATE USER IF NOT EXISTS 'repl'@'%' IDENTIFIED BY '" + ROOT_PASSWORD + "'",
        "GRANT REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO 'repl'@'%'");
    return s;
  }

  @Override
  public String replicationHost(DbServer primary) {
    return primary.name();
  }

  @Override
  public int replicationPort(DbServer primary) {
    return 3306;
  }

  @Override
  public String replicationUser() {
    return "repl";
  }

  @Override
  public String replicationPassword() {
    return ROOT_PASSWORD;
  }

  @Override
  public String name() {
    return "docker";
  }

  /** A server in a container. */
  private static final class ContainerServer implements DbServer {
    private final String name;
    private final int serverId;
    private final MariaDBContainer<?> container;

    ContainerServer(String name, int serverId, MariaDBContainer<?> container) {
      this.name = name;
      this.serverId = serverId;
      this.container = container;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public String host() {
      return container.getHost();
    }

    @Override
    public int port() {
      return container.getMappedPort(3306);
    }

    @Override
    public int serverId() {
      return serverId;
    }

    @Override
    public String adminUser() {
      return "root";
    }

    @Override
    public String adminPassword() {
      return ROOT_PASSWORD;
    }

    @Override
    public boolean isLocal() {
      return false;
    }

    @Override
    public Path baseDir() {
      throw new UnsupportedOperationException(name + " runs in a container: no local folder");
    }

    @Override
    public void stop() {
      container.getDockerClient().stopContainerCmd(container.getContainerId()).exec();
    }

    @Override
    public void start() {
      container.getDockerClient().startContainerCmd(container.getContainerId()).exec();
      awaitAnswering(java.time.Duration.ofSeconds(60));
    }

    @Override
    public void close() {
      container.stop();
    }

    @Override
    public String toString() {
      return name + "(container " + container.getContainerId() + ")";
    }
  }
}
