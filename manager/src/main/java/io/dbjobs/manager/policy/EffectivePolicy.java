package io.dbjobs.manager.policy;

import io.dbjobs.common.time.Durations;
import io.dbjobs.manager.config.ClusterPolicy;
import io.dbjobs.manager.config.ManagerConfig;
import io.dbjobs.manager.state.PolicySetting;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * The policy a cluster follows now: the one set at run time ({@code dbjobs policy}), else the one
 * in manager.yml.
 *
 * @param setting the run-time setting; null when manager.yml's applies
 */
public record EffectivePolicy(String cluster, ClusterPolicy policy, PolicySetting setting) {

  public static EffectivePolicy of(
      ManagerConfig config, Map<String, PolicySetting> settings, String cluster) {
    PolicySetting s = settings.get(cluster);
    return s != null
        ? new EffectivePolicy(cluster, s.policy(), s)
        : new EffectivePolicy(cluster, config.cluster(cluster).health().policy(), null);
  }

  /** "manager.yml", or "set by X 5m ago: reason". */
  public String source(Instant now) {
    if (setting == null) {
      return "manager.yml";
    }
    return "set by "
        + setting.by()
        + " "
        + Durations.human(Duration.between(setting.since(), now).abs())
        + " ago"
        + (setting.reason().isEmpty() ? "" : ": " + setting.reason());
  }
}
