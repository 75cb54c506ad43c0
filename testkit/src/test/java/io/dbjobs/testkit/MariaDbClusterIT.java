package io.dbjobs.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class MariaDbClusterIT {

  @Test
  void replicatesFromPrimaryToReplicasByGtid() {
    try (MariaDbCluster c = MariaDbCluster.start("kit", 2)) {
      c.primary()
          .execute(
              "CREATE DATABASE t",
              "CREATE TABLE t.x (id INT PRIMARY KEY)",
              "INSERT INTO t.x VALUES (1),(2)");
      c.awaitReplication(Duration.ofSeconds(30));
      DbServer replica = c.replicas().get(0);
      assertThat(replica.value("SELECT COUNT(*) FROM t.x")).isEqualTo("2");
      assertThat(replica.value("SELECT @@read_only")).isEqualTo("1");
      assertThat(replica.value("SELECT @@gtid_slave_pos"))
          .isEqualTo(c.primary().value("SELECT @@gtid_binlog_pos"));
    }
  }

  @Test
  void stopAndStartThroughTheControlScriptKeepsData() {
    try (DbServer s = DbBackend.local().start("kitctl", 9, ServerOptions.defaults())) {
      s.execute(
          "CREATE DATABASE k",
          "CREATE TABLE k.v (id INT PRIMARY KEY)",
          "INSERT INTO k.v VALUES (7)");
      s.stop();
      assertThat(s.answers()).isFalse();
      s.start();
      assertThat(s.value("SELECT id FROM k.v")).isEqualTo("7");
    }
  }
}
