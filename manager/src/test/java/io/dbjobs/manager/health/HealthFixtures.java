package io.dbjobs.manager.health;

import io.dbjobs.common.backup.ServerFlavor;
import io.dbjobs.common.config.DatabaseEndpoint;
import io.dbjobs.common.health.NodeFacts;
import io.dbjobs.common.health.ReplicaChannel;
import io.dbjobs.common.health.ThreadState;
import io.dbjobs.manager.config.ClusterConfig;
import io.dbjobs.manager.config.ClusterHealthConfig;
import io.dbjobs.manager.config.ClusterPolicy;
import io.dbjobs.manager.config.ManagerConfig;
import io.dbjobs.manager.config.NodeConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A cluster "c" of db1 (10.0.0.1, server id 1), db2 (10.0.0.2, id 2), db3 (10.0.0.3, id 3), all on
 * port 3306, and facts for them.
 */
public final class HealthFixtures {
  public static final Instant NOW = Instant.parse("2026-11-23T10:00:00Z");

  private HealthFixtures() {}

  public static ClusterConfig cluster(ClusterPolicy policy, boolean autoReseed) {
    List<NodeConfig> nodes = new ArrayList<>();
    for (int i = 1; i <= 3; i++) {
      nodes.add(
          new NodeConfig(
              "c",
              "db" + i,
              new DatabaseEndpoint("10.0.0." + i, 3306, null, "dbjobs_manager", null),
              4445,
              4444));
    }
    return new ClusterConfig(
        "c", nodes, null, new ClusterHealthConfig(policy, autoReseed, Duration.ofSeconds(60)));
  }

  public static ManagerConfig config(ClusterConfig c) {
    return new ManagerConfig(
        List.of(c), Path.of("/tmp/none"), Duration.ofSeconds(1), Path.of("t.yml"));
  }

  public static NodeConfig node(ClusterConfig c, int i) {
    return c.nodes().get(i - 1);
  }

  public static ReplicaChannel from(String name, int sourceNode, ThreadState io, ThreadState sql) {
    return new ReplicaChannel(
        name, "10.0.0." + sourceNode, 3306, sourceNode, io, sql, 0, "", 0, "", 0L);
  }

  public static NodeFacts primary(long id, String gtid) {
    return facts(id, false, List.of(), gtid);
  }

  public static NodeFacts replica(long id, String gtid, ReplicaChannel... channels) {
    return facts(id, true, List.of(channels), gtid);
  }

  public static NodeFacts facts(long id, boolean readOnly, List<ReplicaChannel> ch, String gtid) {
    return new NodeFacts(
        ServerFlavor.MARIADB,
        "10.11.6-MariaDB",
        id,
        readOnly,
        true,
        ch,
        gtid,
        gtid,
        readOnly ? gtid : "",
        gtid,
        "",
        "",
        new NodeFacts.OldestBinlog("mysql-bin.000001", ""));
  }
}
