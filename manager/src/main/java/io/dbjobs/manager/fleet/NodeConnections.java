package io.dbjobs.manager.fleet;

import com.zaxxer.hikari.HikariDataSource;
import io.dbjobs.common.db.DataSources;
import io.dbjobs.common.jobs.JobsDao;
import io.dbjobs.common.jobs.JobsSchema;
import io.dbjobs.manager.config.ManagerConfig;
import io.dbjobs.manager.config.NodeConfig;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;

/**
 * The manager's connections to its nodes: one small pool per node, opened on first use. The first
 * time a node's jobs table is used in this process, the table is created if missing ({@link
 * JobsSchema#ensure}); never again afterwards.
 */
public final class NodeConnections implements AutoCloseable {
  private static final int POOL_SIZE = 3;

  private final ManagerConfig config;
  private final Map<String, HikariDataSource> pools = new ConcurrentHashMap<>();
  private final Set<String> schemaReady = ConcurrentHashMap.newKeySet();

  public NodeConnections(ManagerConfig config) {
    this.config = config;
  }

  public ManagerConfig config() {
    return config;
  }

  public DataSource pool(NodeConfig node) {
    return pools.computeIfAbsent(
        node.qualifiedName(),
        k ->
            DataSources.pool(
                node.database(), "manager-" + node.name(), POOL_SIZE, config.connectTimeout()));
  }

  /** The node's jobs table, created on first contact. */
  public JobsDao jobs(NodeConfig node) {
    DataSource ds = pool(node);
    if (!schemaReady.contains(node.qualifiedName())) {
      JobsSchema.ensure(ds, node.describe());
      schemaReady.add(node.qualifiedName());
    }
    return new JobsDao(ds, node.describe());
  }

  @Override
  public void close() {
    pools.values().forEach(HikariDataSource::close);
    pools.clear();
  }
}
