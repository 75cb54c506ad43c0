package io.dbjobs.manager.state;

import io.dbjobs.manager.config.ClusterPolicy;
import java.time.Instant;

/** A cluster's policy as set at run time ({@code dbjobs policy}), overriding manager.yml's. */
public record PolicySetting(
    String cluster, ClusterPolicy policy, String reason, String by, Instant since) {}
