package io.dbjobs.common.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.dbjobs.common.config.DatabaseEndpoint;
import java.time.Duration;

/**
 * Builds HikariCP pools to one node. Every connection runs in UTC ({@code time_zone='+00:00'}), so
 * the {@code DATETIME(3)} columns of the jobs table hold UTC, and every pool starts even when the
 * server is down (the first use fails instead), so an agent can wait for its server. TLS is as the
 * endpoint's {@link DbTls} says (default: when the server offers it); it is never switched off
 * here.
 */
public final class DataSources {
  private DataSources() {}

  /**
   * A pool to {@code endpoint}.
   *
   * @param name pool name shown in logs and thread names, e.g. {@code agent-db2}
   * @param connectTimeout how long to try to open a connection before failing a call
   */
  public static HikariDataSource pool(
      DatabaseEndpoint endpoint, String name, int maxSize, Duration connectTimeout) {
    HikariConfig c = new HikariConfig();
    c.setPoolName(name);
    c.setJdbcUrl(jdbcUrl(endpoint, connectTimeout));
    c.setUsername(endpoint.user());
    if (endpoint.password() != null) {
      c.setPassword(endpoint.password().reveal());
    }
    c.setMaximumPoolSize(maxSize);
    c.setMinimumIdle(0);
    c.setIdleTimeout(Duration.ofMinutes(2).toMillis());
    c.setMaxLifetime(Duration.ofMinutes(15).toMillis());
    c.setConnectionTimeout(Math.max(250, connectTimeout.toMillis()));
    c.setValidationTimeout(Math.max(250, Math.min(connectTimeout.toMillis(), 5000)));
    c.setKeepaliveTime(0);
    // -1: build the pool without a connection; an agent starts before its server and waits
    c.setInitializationFailTimeout(-1);
    c.setConnectionInitSql("SET SESSION time_zone='+00:00'");
    c.setAutoCommit(true);
    return new HikariDataSource(c);
  }

  /** The JDBC URL for an endpoint; never contains a password. */
  public static String jdbcUrl(DatabaseEndpoint endpoint, Duration connectTimeout) {
    return jdbcUrl(endpoint, connectTimeout, false);
  }

  /**
   * The JDBC URL for an endpoint, with {@code LOAD DATA LOCAL INFILE} allowed when {@code
   * loadLocalInfile} (only for connections that run nothing but a loader's statements against the
   * agent's own server); never contains a password.
   */
  public static String jdbcUrl(
      DatabaseEndpoint endpoint, Duration connectTimeout, boolean loadLocalInfile) {
    long ms = Math.max(250, connectTimeout.toMillis());
    String common =
        "?connectTimeout="
            + ms
            + "&socketTimeout=0"
            + "&tcpKeepAlive=true"
            + endpoint.tls().urlParameters()
            + "&allowPublicKeyRetrieval=true"
            + "&characterEncoding=UTF-8"
            + "&connectionTimeZone=UTC"
            + "&forceConnectionTimeZoneToSession=false"
            + "&cacheDefaultTimeZone=false"
            + "&allowLoadLocalInfile="
            + loadLocalInfile
            + "&rewriteBatchedStatements=true";
    if (endpoint.socket() != null) {
      return "jdbc:mysql://localhost/"
          + common
          + "&socketFactory=org.newsclub.net.mysql.AFUNIXDatabaseSocketFactoryCJ"
          + "&junixsocket.file="
          + endpoint.socket();
    }
    return "jdbc:mysql://" + hostForUrl(endpoint.host()) + ":" + endpoint.port() + "/" + common;
  }

  private static String hostForUrl(String host) {
    return host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
  }
}
