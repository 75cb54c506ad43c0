package io.dbjobs.manager.health;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.db.SqlErrors;
import io.dbjobs.common.health.NodeFacts;
import io.dbjobs.common.health.NodeFactsReader;
import io.dbjobs.manager.config.ClusterConfig;
import io.dbjobs.manager.config.ManagerConfig;
import io.dbjobs.manager.config.NodeConfig;
import io.dbjobs.manager.fleet.NodeConnections;
import io.dbjobs.manager.policy.EffectivePolicy;
import io.dbjobs.manager.state.OperatorState;
import io.dbjobs.manager.state.PolicySetting;
import io.dbjobs.manager.state.Shun;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Reads every node of a cluster at once (each with the manager's user: {@code SLAVE MONITOR},
 * {@code BINLOG MONITOR}), then the primary once more, diagnoses the cluster ({@link
 * ClusterDiagnosis}) and adds what operators decided: shunned nodes and the effective policy.
 */
public final class HealthReader implements AutoCloseable {
  private final ManagerConfig config;
  private final NodeConnections connections;
  private final OperatorState state;
  private final Clock clock;
  private final ExecutorService pool;

  public HealthReader(
      ManagerConfig config, NodeConnections connections, OperatorState state, Clock clock) {
    this.config = config;
    this.connections = connections;
    this.state = state;
    this.clock = clock;
    this.pool =
        Executors.newFixedThreadPool(
            Math.max(1, Math.min(16, config.nodes().size())),
            r -> {
              Thread t = new Thread(r, "health");
              t.setDaemon(true);
              return t;
            });
  }

  public OperatorState state() {
    return state;
  }

  /** Every cluster's health. */
  public List<ClusterHealth> readAll() {
    Map<String, Shun> shuns = state.shuns();
    Map<String, PolicySetting> policies = state.policies();
    List<ClusterHealth> out = new ArrayList<>();
    for (ClusterConfig c : config.clusters()) {
      out.add(read(c, shuns, policies));
    }
    return out;
  }

  /**
   * @throws DbJobsException NOT_FOUND for an unknown cluster
   */
  public ClusterHealth read(String cluster) {
    return read(config.cluster(cluster), state.shuns(), state.policies());
  }

  /** The health of the cluster that {@code node} belongs to. */
  public ClusterHealth readClusterOf(String node) {
    return read(config.node(node).cluster());
  }

  private ClusterHealth read(
      ClusterConfig c, Map<String, Shun> shuns, Map<String, PolicySetting> policies) {
    List<Future<ClusterDiagnosis.NodeRead>> futures = new ArrayList<>();
    for (NodeConfig n : c.nodes()) {
      futures.add(pool.submit(() -> readNode(n)));
    }
    List<ClusterDiagnosis.NodeRead> reads = new ArrayList<>();
    for (Future<ClusterDiagnosis.NodeRead> f : futures) {
      try {
        reads.add(f.get());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new DbJobsException(ErrorCode.INTERNAL, "interrupted while reading the nodes", e);
      } catch (ExecutionException e) {
        throw DbJobsException.from(e.getCause(), "reading the health of " + c.name() + " failed");
      }
    }
    // the primary once more, now that every replica was read: nothing a replica applied can be
    // missing from this read of the primary (see ClusterDiagnosis.primaryOf)
    String primary = ClusterDiagnosis.primaryOf(reads);
    if (primary != null) {
      for (int i = 0; i < reads.size(); i++) {
        if (reads.get(i).node().name().equals(primary)) {
          ClusterDiagnosis.NodeRead again = readNode(reads.get(i).node());
          if (again.facts() != null) {
            reads.set(i, again);
          }
        }
      }
    }
    ClusterHealth h = ClusterDiagnosis.diagnose(c, reads, clock.instant());
    EffectivePolicy p = EffectivePolicy.of(config, policies, c.name());
    return h.withPolicy(p.policy().label(), p.source(clock.instant()))
        .withNodes(h.nodes().stream().map(n -> n.withShun(shuns.get(n.node()))).toList());
  }

  private ClusterDiagnosis.NodeRead readNode(NodeConfig n) {
    try (Connection c = connections.pool(n).getConnection()) {
      NodeFacts f =
          NodeFactsReader.read(
              c, NodeFactsReader.Part.CHANNELS, NodeFactsReader.Part.OLDEST_BINLOG);
      return ClusterDiagnosis.NodeRead.of(n, f);
    } catch (SQLException e) {
      return ClusterDiagnosis.NodeRead.failed(
          n,
          SqlErrors.message(e)
              + (SqlErrors.isAccessDenied(e)
                  ? " (the manager user needs SLAVE MONITOR and BINLOG MONITOR, see"
                      + " sql/grants.sql)"
                  : ""));
    } catch (RuntimeException e) {
      return ClusterDiagnosis.NodeRead.failed(n, DbJobsException.describe(e));
    }
  }

  @Override
  public void close() {
    pool.shutdownNow();
  }
}
