package io.dbjobs.manager.fleet;

import com.zaxxer.hikari.HikariDataSource;
import io.dbjobs.common.db.DataSources;
import io.dbjobs.common.jobs.JobsSchema;
import io.dbjobs.common.jobs.ManagerJobs;
import io.dbjobs.common.jobs.ManagerJobsTable;
import io.dbjobs.manager.config.ManagerConfig;
import io.dbjobs.manager.config.NodeConfig;
import io.dbjobs.manager.keys.NodeKeyRings;
import java.time.Clock;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;

/**
 * The manager's connections to its nodes: one small pool per node, opened on first use. The first
 * time a node's jobs table is used in this process, the table is created if missing ({@link
 * JobsSchema#ensure}); never again afterwards. Every job enqueued through it is sealed with the
 * node's job key ({@link NodeKeyRings}).
 */
public final class NodeConnections implements AutoCloseable {
  private static final int POOL_SIZE = 3;

  private final ManagerConfig config;
  private final NodeKeyRings keys;
  private final Map<String, HikariDataSource> pools = new ConcurrentHashMap<>();
  private final Set<String> schemaReady = ConcurrentHashMap.newKeySet();
  private final AgentWakeups wakeups;

  public NodeConnections(ManagerConfig config) {
    this.config = config;
    this.keys = new NodeKeyRings(config.security(), Clock.systemUTC());
    this.wakeups = new AgentWakeups(config);
  }

  /** The nodes' job keys. */
  public NodeKeyRings keys() {
    return keys;
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

  /**
   * The node's jobs table, created (or upgraded) on first contact; what is enqueued there is sealed
   * for the node, and the node's agent is woken to claim it now ({@link AgentWakeups}).
   */
  public ManagerJobs jobs(NodeConfig node) {
    DataSource ds = pool(node);
    if (!schemaReady.contains(node.qualifiedName())) {
      JobsSchema.ensure(ds, node.describe());
      schemaReady.add(node.qualifiedName());
    }
    return new WakingJobs(
        new ManagerJobsTable(ds, node.name(), node.describe(), () -> keys.sealer(node.name())),
        () -> wakeups.wake(node));
  }

  @Override
  public void close() {
    wakeups.close();
    pools.values().forEach(HikariDataSource::close);
    pools.clear();
  }
}
