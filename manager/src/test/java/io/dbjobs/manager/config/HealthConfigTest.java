package io.dbjobs.manager.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The health keys: clusters[].policy, autoReseed, lagThreshold and the watchdog's back-off. */
class HealthConfigTest {
  private static ManagerConfig parse(String clusterKeys, String top) {
    return ManagerConfig.fromYaml(
        top
            + "clusters:\n"
            + "  - name: prod\n"
            + clusterKeys
            + "    nodes:\n"
            + "      - {name: db1, host: 10.0.0.1}\n",
        "manager.yml",
        Map.<String, String>of()::get,
        Path.of("/"));
  }

  @Test
  void defaultsAreManualNoAutoReseedAMinuteOfLagAndAMinuteOfBackOff() {
    ManagerConfig c = parse("", "");
    ClusterHealthConfig h = c.cluster("prod").health();
    assertThat(h.policy()).isEqualTo(ClusterPolicy.MANUAL);
    assertThat(h.autoReseed()).isFalse();
    assertThat(h.lagThreshold()).isEqualTo(Duration.ofSeconds(60));
    assertThat(c.watchdog().recoverBackoff()).isEqualTo(Duration.ofMinutes(1));
    assertThat(c.watchdog().recoverBackoffMax()).isEqualTo(Duration.ofHours(1));
  }

  @Test
  void keysAreReadAndShownByDescribe() {
    ManagerConfig c =
        parse(
            "    policy: automatic\n    autoReseed: true\n    lagThreshold: 5m\n",
            "watchdog:\n  recoverBackoff: 10s\n  recoverBackoffMax: 5m\n");
    assertThat(c.cluster("prod").health())
        .isEqualTo(new ClusterHealthConfig(ClusterPolicy.AUTOMATIC, true, Duration.ofMinutes(5)));
    assertThat(c.watchdog().recoverBackoff()).isEqualTo(Duration.ofSeconds(10));
    assertThat(c.describe())
        .anyMatch(l -> l.contains("policy=automatic autoReseed=true lagThreshold=5m"));
  }

  @Test
  void badValuesAreNamedWithTheirKeys() {
    assertThatThrownBy(() -> parse("    policy: sometimes\n", ""))
        .hasMessageContaining("clusters[0].policy")
        .hasMessageContaining("manual, automatic, maintenance");
    assertThatThrownBy(
            () -> parse("", "watchdog:\n  recoverBackoff: 10m\n  recoverBackoffMax: 1m\n"))
        .hasMessageContaining("watchdog.recoverBackoffMax")
        .hasMessageContaining("at least watchdog.recoverBackoff");
  }
}
