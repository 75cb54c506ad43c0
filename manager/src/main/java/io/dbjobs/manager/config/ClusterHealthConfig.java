package io.dbjobs.manager.config;

import io.dbjobs.common.config.ConfigTree;
import java.time.Duration;

/**
 * A cluster's health keys in manager.yml.
 *
 * @param policy {@code clusters[].policy}, default {@code manual}: {@code manual}, {@code
 *     automatic} or {@code maintenance} (see {@link ClusterPolicy}); {@code dbjobs policy}
 *     overrides it at run time
 * @param autoReseed {@code clusters[].autoReseed}, default {@code false}: with the automatic
 *     policy, reseed a replica that {@code recover} cannot repair (errant transactions, purged
 *     binlogs, an SQL error from diverged rows); off, such a replica is only reported
 * @param lagThreshold {@code clusters[].lagThreshold}, default {@code 60s}: a replica further
 *     behind is {@code lagging}
 */
public record ClusterHealthConfig(ClusterPolicy policy, boolean autoReseed, Duration lagThreshold) {
  public static ClusterHealthConfig defaults() {
    return new ClusterHealthConfig(ClusterPolicy.MANUAL, false, Duration.ofSeconds(60));
  }

  static ClusterHealthConfig read(ConfigTree cluster) {
    ClusterHealthConfig d = defaults();
    String policy = cluster.choice("policy", d.policy().label(), ClusterPolicy.labels());
    return new ClusterHealthConfig(
        ClusterPolicy.parse(policy),
        cluster.bool("autoReseed", d.autoReseed()),
        cluster.duration("lagThreshold", d.lagThreshold(), Duration.ofSeconds(1)));
  }
}
