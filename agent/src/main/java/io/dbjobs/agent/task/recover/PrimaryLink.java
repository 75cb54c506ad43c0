package io.dbjobs.agent.task.recover;

import io.dbjobs.agent.task.reseed.Replication;
import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.config.DatabaseEndpoint;
import io.dbjobs.common.db.DataSources;
import io.dbjobs.common.db.SqlErrors;
import io.dbjobs.common.health.NodeFacts;
import io.dbjobs.common.health.NodeFactsReader;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Properties;

/**
 * What the recovering node asks the primary, as the user it replicates as (which needs {@code
 * REPLICATION CLIENT}, i.e. {@code BINLOG MONITOR}, to list the binary logs): its GTID state and
 * oldest binary log, and its position now.
 */
final class PrimaryLink {
  private final Replication.Source source;
  private final Duration timeout;

  PrimaryLink(Replication.Source source, Duration timeout) {
    this.source = source;
    this.timeout = timeout;
  }

  String describe() {
    return source.host() + ":" + source.port();
  }

  /**
   * @throws DbJobsException NODE_UNREACHABLE when the primary does not answer, PERMISSION_DENIED
   *     when the replication user may not read what is needed
   */
  NodeFacts facts() {
    try (Connection c = connect()) {
      return NodeFactsReader.read(c, NodeFactsReader.Part.OLDEST_BINLOG);
    } catch (SQLException e) {
      throw failure("read the GTID state and binary logs of", e);
    }
  }

  /** The primary's current GTID position, with the flavor's query. */
  String position(Replication r) {
    try (Connection c = connect();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(r.primaryPositionQuery())) {
      rs.next();
      return rs.getString(1);
    } catch (SQLException e) {
      throw failure("read the position of", e);
    }
  }

  private Connection connect() throws SQLException {
    DatabaseEndpoint ep =
        new DatabaseEndpoint(source.host(), source.port(), null, source.user(), source.password());
    Properties p = new Properties();
    p.setProperty("user", source.user());
    p.setProperty("password", source.password().reveal());
    return DriverManager.getConnection(DataSources.jdbcUrl(ep, timeout), p);
  }

  private DbJobsException failure(String what, SQLException e) {
    ErrorCode code = SqlErrors.classify(e);
    return new DbJobsException(
        code,
        "cannot "
            + what
            + " the primary at "
            + describe()
            + " as "
            + source.user()
            + ": "
            + SqlErrors.message(e)
            + (code == ErrorCode.PERMISSION_DENIED
                ? " (the replication user needs REPLICATION CLIENT, see sql/grants.sql)"
                : ""),
        e);
  }
}
