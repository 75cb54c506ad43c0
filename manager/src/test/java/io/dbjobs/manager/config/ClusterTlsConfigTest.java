package io.dbjobs.manager.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.db.DataSources;
import io.dbjobs.common.db.DbTls;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The per-cluster JDBC TLS keys, and node hosts checked as addresses. */
class ClusterTlsConfigTest {
  @TempDir Path dir;

  private ManagerConfig load(String cluster) {
    return ManagerConfig.fromYaml(
        "clusters:\n  - name: prod\n" + cluster, "manager.yml", n -> null, dir);
  }

  @Test
  void eachClustersNodesGetItsTlsAndNothingSwitchesItOff() throws Exception {
    Path ca = Files.writeString(dir.resolve("ca.pem"), "pem");
    ManagerConfig c =
        ManagerConfig.fromYaml(
            "clusters:\n"
                + "  - name: prod\n"
                + "    tls: required\n"
                + "    ca: {file: ca.pem}\n"
                + "    nodes: [{name: db1, host: 10.0.0.1}]\n"
                + "  - name: lab\n"
                + "    nodes: [{name: lab1, host: lab1.example.com}]\n",
            "manager.yml",
            n -> null,
            dir);
    assertThat(c.node("db1").database().tls()).isEqualTo(new DbTls(DbTls.Mode.REQUIRED, ca));
    assertThat(c.node("lab1").database().tls()).isEqualTo(DbTls.PREFERRED);
    assertThat(DataSources.jdbcUrl(c.node("db1").database(), Duration.ofSeconds(1)))
        .contains("sslMode=VERIFY_CA");
    assertThat(DataSources.jdbcUrl(c.node("lab1").database(), Duration.ofSeconds(1)))
        .contains("sslMode=PREFERRED")
        .doesNotContain("useSSL");
    assertThat(c.describe())
        .anySatisfy(l -> assertThat(l).contains("db1").contains("tls=required"));
  }

  @Test
  void refusesABadModeACaWithoutRequiredAndAHostThatIsNotAnAddress() {
    assertThatThrownBy(
            () ->
                load(
                    "    tls: sometimes\n"
                        + "    ca: {file: /etc/ca.pem}\n"
                        + "    nodes: [{name: db1, host: \"10.0.0.1' , MASTER_HOST='x\"}]\n"))
        .isInstanceOf(DbJobsException.class)
        .hasMessageContaining("clusters[0].tls: is 'sometimes'")
        .hasMessageContaining("clusters[0].ca: verifies the server's certificate")
        .hasMessageContaining("clusters[0].nodes[0].host: ")
        .hasMessageContaining("is not a host name or IPv4 address");
  }
}
