package io.dbjobs.manager.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.job.ReplicationTls;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code clusters[].replicationTls}: read, checked, carried into job params. */
class ReplicationTlsConfigTest {
  @TempDir Path dir;

  private ManagerConfig load(String cluster) {
    return ManagerConfig.fromYaml(
        "clusters:\n  - name: prod\n    nodes: [{name: db1, host: 10.0.0.1}]\n" + cluster,
        "manager.yml",
        n -> null,
        dir);
  }

  @Test
  void aClusterCarriesItsReplicationTlsIntoJobParams() {
    ManagerConfig c =
        load(
            "    replicationTls:\n      ca: /etc/mysql/ca.pem\n      cert: /etc/mysql/r.pem\n"
                + "      key: /etc/mysql/r.key\n");
    ReplicationTls t = c.cluster("prod").replicationTls();
    assertThat(t)
        .isEqualTo(new ReplicationTls("/etc/mysql/ca.pem", "/etc/mysql/r.pem", "/etc/mysql/r.key"));
    assertThat(t.toParams(new LinkedHashMap<>()))
        .containsEntry(ReplicationTls.CA, "/etc/mysql/ca.pem")
        .containsEntry(ReplicationTls.KEY, "/etc/mysql/r.key");
    assertThat(load("").cluster("prod").replicationTls()).isNull();
  }

  @Test
  void refusesRelativeOrQuotedPathsAndACertWithoutKey() {
    assertThatThrownBy(
            () -> load("    replicationTls:\n      ca: \"/etc/ca.pem', MASTER_HOST='x\"\n"))
        .isInstanceOf(DbJobsException.class)
        .hasMessageContaining("clusters[0].replicationTls")
        .hasMessageContaining("not an absolute path");
    assertThatThrownBy(() -> load("    replicationTls:\n      ca: ca.pem\n"))
        .hasMessageContaining("not an absolute path");
    assertThatThrownBy(() -> load("    replicationTls:\n      ca: /ca.pem\n      cert: /c.pem\n"))
        .hasMessageContaining("cert and key go together");
    assertThatThrownBy(() -> load("    replicationTls:\n      cert: /c.pem\n      key: /k.pem\n"))
        .hasMessageContaining("ca is required");
  }
}
