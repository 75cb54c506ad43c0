package io.dbjobs.agent.task;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.config.DatabaseEndpoint;
import io.dbjobs.common.db.DataSources;
import io.dbjobs.common.db.SqlErrors;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Properties;

/**
 * Asks the node's server whether it answers, on a fresh connection outside the pool (a pool may
 * hold a connection to a server that is gone, or wait for one).
 */
public class ServerProbe {
  private final DatabaseEndpoint endpoint;
  private final Duration timeout;

  public ServerProbe(DatabaseEndpoint endpoint, Duration timeout) {
    this.endpoint = endpoint;
    this.timeout = timeout;
  }

  /**
   * True when the server accepts a login and answers a query now; false when it cannot be reached.
   *
   * @throws DbJobsException when it answers with another error (e.g. access denied)
   */
  public boolean answers() {
    return bootTime().isPresent();
  }

  /**
   * When the running server started (its clock minus its uptime), or empty when it does not answer.
   * A restart changes it.
   */
  public Optional<Instant> bootTime() {
    Properties p = new Properties();
    p.setProperty("user", endpoint.user());
    if (endpoint.password() != null) {
      p.setProperty("password", endpoint.password().reveal());
    }
    try (Connection c = DriverManager.getConnection(DataSources.jdbcUrl(endpoint, timeout), p);
        Statement s = c.createStatement()) {
      s.setQueryTimeout((int) Math.max(1, timeout.toSeconds()));
      try (ResultSet rs =
          s.executeQuery(
              "SELECT UNIX_TIMESTAMP(NOW(3)) - VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS"
                  + " WHERE VARIABLE_NAME='UPTIME'")) {
        if (!rs.next()) {
          return Optional.empty();
        }
        double epoch = rs.getDouble(1);
        return Optional.of(Instant.ofEpochMilli((long) (epoch * 1000)));
      }
    } catch (SQLException e) {
      if (SqlErrors.isConnectionLoss(e)) {
        return Optional.empty();
      }
      throw new DbJobsException(
          SqlErrors.classify(e),
          "the server at "
              + endpoint.describe()
              + " answered with an error: "
              + SqlErrors.message(e),
          e);
    }
  }

  public DatabaseEndpoint endpoint() {
    return endpoint;
  }
}
