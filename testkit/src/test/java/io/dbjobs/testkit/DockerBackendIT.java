package io.dbjobs.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Runs the cluster fixture on containers; skipped with a message where no Docker engine runs. */
class DockerBackendIT {

  @Test
  void replicatesInContainersWhenDockerRuns() {
    DbBackend docker = DockerBackend.requireDocker();
    try (MariaDbCluster c = MariaDbCluster.start(docker, "dock", 2, ServerOptions.defaults())) {
      c.primary()
          .execute(
              "CREATE DATABASE d",
              "CREATE TABLE d.x (id INT PRIMARY KEY)",
              "INSERT INTO d.x VALUES (1)");
      c.awaitReplication(Duration.ofSeconds(60));
      assertThat(c.replicas().get(0).value("SELECT COUNT(*) FROM d.x")).isEqualTo("1");
    }
  }
}
