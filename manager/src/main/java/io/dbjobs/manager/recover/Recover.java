package io.dbjobs.manager.recover;

import io.dbjobs.common.job.Task;
import io.dbjobs.common.job.params.RecoverParams;
import io.dbjobs.manager.config.ManagerConfig;
import io.dbjobs.manager.fleet.Fleet;
import io.dbjobs.manager.fleet.JobView;
import io.dbjobs.manager.health.HealthReader;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The recover verb: reads the cluster's health, plans ({@link RecoverPlanner}) and enqueues the
 * agent's {@code recover} job through the fleet. Following the job to its end is the caller's (the
 * CLI's job waiter, or the daemon's policy on its next sweep); reseeds go through the reseed verb.
 */
public final class Recover {
  private final ManagerConfig config;
  private final HealthReader health;
  private final Fleet fleet;

  public Recover(ManagerConfig config, HealthReader health, Fleet fleet) {
    this.config = config;
    this.health = health;
    this.fleet = fleet;
  }

  public HealthReader health() {
    return health;
  }

  /** What recover would do about {@code node} now. */
  public RecoverPlan plan(String node, RecoverOptions o) {
    return RecoverPlanner.plan(config, health.readClusterOf(node), node, o);
  }

  /**
   * Enqueues the node's {@code recover} job.
   *
   * @param key the idempotency key: the same key twice is one job
   */
  public JobView submit(RecoverPlan.Recover p, String key, String submittedBy) {
    Map<String, String> params = new LinkedHashMap<>();
    params.put(RecoverParams.PRIMARY, p.primaryAddress());
    if (!p.connection().isEmpty()) {
      params.put(RecoverParams.CONNECTION, p.connection());
    }
    io.dbjobs.common.job.ReplicationTls tls =
        config.cluster(config.node(p.node()).cluster()).replicationTls();
    if (tls != null) {
      tls.toParams(params);
    }
    return fleet
        .submit(new Fleet.SubmitRequest(p.node(), Task.RECOVER, params, key, submittedBy))
        .job();
  }
}
