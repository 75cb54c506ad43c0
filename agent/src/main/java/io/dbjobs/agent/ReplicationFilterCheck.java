package io.dbjobs.agent;

import io.dbjobs.common.db.DataSources;
import io.dbjobs.common.db.SqlErrors;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether a replica keeps replicated writes out of its own jobs table. dbjobs never binary-logs its
 * rows, but anyone may write the primary's table with binary logging on: on a replica such a row is
 * refused (sealed for another node), yet a copy that collides with the replica's own row id stops
 * its SQL thread. {@code replicate_wild_ignore_table=replication_manager_schema.%} on replicas
 * makes both impossible (docs/security.md).
 */
final class ReplicationFilterCheck {
  private static final Logger LOG = LoggerFactory.getLogger(ReplicationFilterCheck.class);

  private ReplicationFilterCheck() {}

  /** A warning for a replica without the filter; empty for a primary or a filtered replica. */
  static Optional<String> warning(AgentConfig cfg) {
    try (var pool =
            DataSources.pool(cfg.database(), "check-" + cfg.node(), 1, cfg.connectTimeout());
        Connection c = pool.getConnection();
        Statement s = c.createStatement()) {
      boolean replica;
      try (ResultSet rs = s.executeQuery("SHOW SLAVE STATUS")) {
        replica = rs.next();
      }
      if (!replica) {
        return Optional.empty();
      }
      String filter;
      try (ResultSet rs = s.executeQuery("SELECT @@replicate_wild_ignore_table")) {
        filter = rs.next() && rs.getString(1) != null ? rs.getString(1) : "";
      }
      if (filter.toLowerCase(Locale.ROOT).contains("replication_manager_schema.")) {
        return Optional.empty();
      }
      return Optional.of(
          cfg.node()
              + " replicates without replicate_wild_ignore_table=replication_manager_schema.%: a row"
              + " someone writes into the primary's jobs table with binary logging on reaches this"
              + " node (it is refused, but a copy with the id of one of this node's own rows stops"
              + " its replication); add it to the server's configuration (docs/security.md)");
    } catch (SQLException e) {
      LOG.debug("replication filter not checked: {}", SqlErrors.message(e));
      return Optional.of(
          "the replication filter of "
              + cfg.node()
              + " could not be checked: "
              + SqlErrors.message(e));
    }
  }
}
