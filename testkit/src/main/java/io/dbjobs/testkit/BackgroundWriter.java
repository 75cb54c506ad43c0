package io.dbjobs.testkit;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Keeps inserting rows into a table on a server from its own thread, as an application would while
 * a backup or reseed runs. The table ({@code schema.writes}) is created by {@link #start}.
 */
public final class BackgroundWriter implements AutoCloseable {
  private final Thread thread;
  private final AtomicLong rows = new AtomicLong();
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private volatile boolean running = true;

  private BackgroundWriter(DbServer server, String schema) {
    server.execute(
        "CREATE DATABASE IF NOT EXISTS `" + schema + "` CHARACTER SET utf8mb4",
        "CREATE TABLE IF NOT EXISTS `"
            + schema
            + "`.writes (id BIGINT AUTO_INCREMENT PRIMARY KEY, at DATETIME(6) NOT NULL,"
            + " payload VARCHAR(200) NOT NULL) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4");
    thread =
        new Thread(
            () -> {
              try (Connection c = server.connect();
                  PreparedStatement ps =
                      c.prepareStatement(
                          "INSERT INTO `" + schema + "`.writes (at, payload) VALUES (NOW(6), ?)")) {
                while (running) {
                  ps.setString(1, "row " + rows.get() + " ünïcödé ✓");
                  ps.executeUpdate();
                  rows.incrementAndGet();
                }
              } catch (SQLException e) {
                if (running) {
                  failure.set(e);
                }
              }
            },
            "writer-" + server.name());
    thread.setDaemon(true);
    thread.start();
  }

  public static BackgroundWriter start(DbServer server, String schema) {
    return new BackgroundWriter(server, schema);
  }

  /** Rows written so far; fails if the writer broke on its own. */
  public long rows() {
    if (failure.get() != null) {
      throw new IllegalStateException(
          "the background writer failed: " + failure.get().getMessage(), failure.get());
    }
    return rows.get();
  }

  /** Stops writing; fails if the writer broke on its own while it ran. */
  public long stop() {
    running = false;
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (failure.get() != null) {
      throw new IllegalStateException(
          "the background writer failed: " + failure.get().getMessage(), failure.get());
    }
    return rows.get();
  }

  @Override
  public void close() {
    running = false;
  }
}
