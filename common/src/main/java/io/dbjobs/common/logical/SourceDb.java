package io.dbjobs.common.logical;

import io.dbjobs.common.config.DatabaseEndpoint;
import io.dbjobs.common.db.DataSources;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Properties;

/**
 * Opens dedicated connections (never from a pool: a dump holds each one in its snapshot for the
 * whole dump, and a loader's connections allow {@code LOAD DATA LOCAL}). The password travels in
 * the driver's properties, never in the URL.
 */
@FunctionalInterface
public interface SourceDb {
  Connection open() throws SQLException;

  /** Connections to {@code endpoint} for a dump. */
  static SourceDb of(DatabaseEndpoint endpoint, Duration connectTimeout) {
    return connect(endpoint, connectTimeout, false);
  }

  /**
   * Connections to {@code endpoint} for a loader: {@code LOAD DATA LOCAL INFILE} is allowed, for
   * the streams the loader sets on its statements. Use only against the agent's own server.
   */
  static SourceDb forLoading(DatabaseEndpoint endpoint, Duration connectTimeout) {
    return connect(endpoint, connectTimeout, true);
  }

  private static SourceDb connect(
      DatabaseEndpoint endpoint, Duration connectTimeout, boolean localInfile) {
    String url = DataSources.jdbcUrl(endpoint, connectTimeout, localInfile);
    return () -> {
      Properties p = new Properties();
      p.setProperty("user", endpoint.user());
      if (endpoint.password() != null) {
        p.setProperty("password", endpoint.password().reveal());
      }
      return DriverManager.getConnection(url, p);
    };
  }
}
