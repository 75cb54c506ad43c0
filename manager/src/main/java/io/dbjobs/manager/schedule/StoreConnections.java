package io.dbjobs.manager.schedule;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import org.quartz.utils.ConnectionProvider;

/** Hands Quartz's JDBC store connections from the daemon's own pool to the store's database. */
final class StoreConnections implements ConnectionProvider {
  private final HikariDataSource pool;

  StoreConnections(HikariDataSource pool) {
    this.pool = pool;
  }

  @Override
  public Connection getConnection() throws SQLException {
    return pool.getConnection();
  }

  @Override
  public void shutdown() {
    pool.close();
  }

  @Override
  public void initialize() {
    // the pool is built by DaemonScheduler
  }
}
