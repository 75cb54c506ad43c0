package io.dbjobs.manager.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dbjobs.common.logical.DumpOptions;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class LogicalDumpSettingsTest {
  private static final String CLUSTERS =
      "clusters:\n  - name: c\n    nodes:\n      - {name: db1, host: 10.0.0.1}\n";

  private static ManagerConfig parse(String yaml) {
    return ManagerConfig.fromYaml(yaml + CLUSTERS, "manager.yml", n -> null, Path.of("/"));
  }

  @Test
  void logicalmasterDumpsWithDocumentedDefaults() {
    DumpOptions o = parse("").logicalDump().options();
    assertThat(o.threads()).isEqualTo(DumpOptions.defaultThreads());
    assertThat(o.lockTimeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(o.chunkBytes()).isEqualTo(64L << 20);
    assertThat(o.nonTransactional()).isEqualTo(DumpOptions.NonTransactional.LOCK);
    assertThat(parse("").logicalDump().parts()).isTrue();
  }

  @Test
  void readsAndChecksItsKeys() {
    DumpOptions o =
        parse(
                "logicalDump: {threads: 3, lockTimeout: 2s, chunkMiB: 8, nonTransactional: unlocked}\n")
            .logicalDump()
            .options();
    assertThat(o.threads()).isEqualTo(3);
    assertThat(o.lockTimeout()).isEqualTo(Duration.ofSeconds(2));
    assertThat(o.chunkBytes()).isEqualTo(8L << 20);
    assertThat(o.nonTransactional()).isEqualTo(DumpOptions.NonTransactional.UNLOCKED);
    assertThat(parse("logicalDump: {format: sql}\n").logicalDump().parts()).isFalse();
    assertThatThrownBy(
            () -> parse("logicalDump: {threads: 0, nonTransactional: maybe, format: csv}\n"))
        .hasMessageContaining("logicalDump.threads")
        .hasMessageContaining("logicalDump.nonTransactional")
        .hasMessageContaining("logicalDump.format");
  }
}
