package io.dbjobs.testkit;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * One real database server started for a test: a local {@code mariadbd} in a temp folder, or a
 * container. Connections use the admin user created by the fixture.
 */
public interface DbServer extends AutoCloseable {
  /** Short name, e.g. {@code node1}. */
  String name();

  String host();

  int port();

  int serverId();

  String adminUser();

  /** The admin password; test-only, random per test run. */
  String adminPassword();

  /** True for a local process whose datadir, config and service commands the test can use. */
  boolean isLocal();

  /** The server's folder: {@code my.cnf}, {@code data/}, {@code ctl}, logs (local only). */
  Path baseDir();

  /** The data directory (local only). */
  default Path dataDir() {
    return baseDir().resolve("data");
  }

  /** The Unix socket (local only). */
  default Path socket() {
    return baseDir().resolve("mysqld.sock");
  }

  /** The server's error log (local only). */
  default Path errorLog() {
    return baseDir().resolve("error.log");
  }

  /**
   * A script taking {@code start}, {@code stop} or {@code restart}, usable as an agent's service
   * commands (local only). {@code start} returns once mariadbd was launched, not once it answers.
   */
  default Path controlScript() {
    return baseDir().resolve("ctl");
  }

  /** Stops the server (waits until its process is gone). */
  void stop();

  /** Starts a stopped server and waits until it answers. */
  void start();

  default String jdbcUrl() {
    return "jdbc:mysql://"
        + host()
        + ":"
        + port()
        + "/?useSSL=false&allowPublicKeyRetrieval=true&connectTimeout=5000";
  }

  default Connection connect() throws SQLException {
    return DriverManager.getConnection(jdbcUrl(), adminUser(), adminPassword());
  }

  /** Runs statements as the admin user, with binary logging as the server is configured. */
  default void execute(String... sql) {
    try (Connection c = connect();
        Statement s = c.createStatement()) {
      for (String q : sql) {
        s.execute(q);
      }
    } catch (SQLException e) {
      throw new IllegalStateException(
          name() + ": " + e.getMessage() + " running " + List.of(sql), e);
    }
  }

  /** The first column of every row of a query. */
  default List<String> column(String sql) {
    try (Connection c = connect();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      List<String> out = new ArrayList<>();
      while (rs.next()) {
        out.add(rs.getString(1));
      }
      return out;
    } catch (SQLException e) {
      throw new IllegalStateException(name() + ": " + e.getMessage() + " running " + sql, e);
    }
  }

  /** The first column of the first row, or null. */
  default String value(String sql) {
    List<String> col = column(sql);
    return col.isEmpty() ? null : col.get(0);
  }

  /** True when the server accepts a connection now. */
  default boolean answers() {
    try (Connection c =
        DriverManager.getConnection(
            "jdbc:mysql://"
                + host()
                + ":"
                + port()
                + "/?useSSL=false&allowPublicKeyRetrieval=true&connectTimeout=1000",
            adminUser(),
            adminPassword())) {
      return c.isValid(1);
    } catch (SQLException e) {
      return false;
    }
  }

  /** Waits until the server answers, or fails after {@code timeout}. */
  default void awaitAnswering(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!answers()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(name() + " did not answer within " + timeout);
      }
      Waits.pause(Duration.ofMillis(100));
    }
  }

  @Override
  void close();
}
