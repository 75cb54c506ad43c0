package io.dbjobs.manager.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.manager.catalog.RetentionPolicy;
import io.dbjobs.manager.receive.ReceiverSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CatalogAndReceiverConfigTest {
  @TempDir Path dir;

  private static final String NODES =
      "clusters:\n"
          + "  - name: prod\n"
          + "    credentials: {password: {env: PW}}\n"
          + "    nodes:\n"
          + "      - {name: db1, host: 10.0.0.1}\n";

  private ManagerConfig load(String yaml) {
    return ManagerConfig.fromYaml(yaml + NODES, "manager.yml", Map.of("PW", "x")::get, dir);
  }

  private static String problems(Runnable r) {
    try {
      r.run();
    } catch (DbJobsException e) {
      assertThat(e.code()).isEqualTo(ErrorCode.CONFIG_INVALID);
      return e.getMessage();
    }
    throw new AssertionError("expected the config to be refused");
  }

  @Test
  void defaultsWhenTheSectionsAreAbsent() {
    ManagerConfig c = load("");
    assertThat(c.retention()).isEqualTo(new RetentionPolicy(3, 7, 4));
    ReceiverSettings r = c.receiver();
    assertThat(r.bind()).isEqualTo("0.0.0.0");
    assertThat(r.port()).isEqualTo(4447); // 4446 is the API's
    assertThat(r.advertisePort()).isZero();
    assertThat(r.tls()).isNull();
    assertThat(r.idleTimeout()).isEqualTo(Duration.ofSeconds(60));
    assertThat(r.jobTimeout()).isEqualTo(Duration.ofHours(24));
    assertThat(c.describe())
        .anyMatch(l -> l.startsWith("receiver.bind=0.0.0.0 receiver.port=4447"));
  }

  @Test
  void readsEveryKey() {
    ManagerConfig c =
        load(
            "catalog:\n"
                + "  dir: cat\n"
                + "  retention: {keepLast: 5, keepDaily: 0, keepWeekly: 12}\n"
                + "receiver:\n"
                + "  bind: 10.0.0.9\n"
                + "  port: 0\n"
                + "  advertise: backup.example:14446\n"
                + "  idleTimeout: 5m\n"
                + "  handshakeTimeout: 3s\n"
                + "  jobTimeout: 48h\n");
    assertThat(c.catalogDir()).isEqualTo(dir.resolve("cat"));
    assertThat(c.retention()).isEqualTo(new RetentionPolicy(5, 0, 12));
    assertThat(c.receiver().bind()).isEqualTo("10.0.0.9");
    assertThat(c.receiver().port()).isZero();
    assertThat(c.receiver().advertiseHost()).isEqualTo("backup.example");
    assertThat(c.receiver().advertisePort()).isEqualTo(14446);
    assertThat(c.receiver().streamOptions().idleTimeout()).isEqualTo(Duration.ofMinutes(5));
    assertThat(c.receiver().streamOptions().jobTimeout()).isEqualTo(Duration.ofHours(48));
    // a specific bind address is what agents are told when advertise is absent
    assertThat(load("receiver: {bind: 10.0.0.9}\n").receiver().advertiseHost())
        .isEqualTo("10.0.0.9");
  }

  @Test
  void everyProblemNamesItsKey() {
    String m =
        problems(
            () ->
                load(
                    "catalog:\n"
                        + "  retention: {keepLast: 0, keepDaily: -1, keepWeekly: many}\n"
                        + "receiver:\n"
                        + "  port: 70000\n"
                        + "  advertise: 'host:0'\n"
                        + "  idleTimeout: soon\n"
                        + "  tls: {cert: c.pem}\n"
                        + "  portt: 1\n"));
    assertThat(m)
        .contains("catalog.retention.keepLast: is 0; must be between 1 and")
        .contains("catalog.retention.keepDaily: is -1")
        .contains("catalog.retention.keepWeekly: must be a whole number")
        .contains("receiver.port: is 70000; must be between 0 and 65535")
        .contains("receiver.advertise: 'host:0' is not host or host:port")
        .contains("receiver.idleTimeout: 'soon' is not a duration")
        .contains("receiver.tls.key: is required when TLS is configured")
        .contains("receiver.tls.ca: is required when TLS is configured")
        .contains("receiver.portt: unknown key; did you mean 'port'?");
  }

  @Test
  void unreadableTlsFilesAreNamed() {
    String m = problems(() -> load("receiver:\n  tls: {cert: c.pem, key: k.pem, ca: ca.pem}\n"));
    assertThat(m).contains("receiver.tls.cert: TLS file " + dir.resolve("c.pem"));
  }

  @Test
  void nodeNamesMustBeUsableAsFolderNames() {
    String m =
        problems(
            () ->
                ManagerConfig.fromYaml(
                    "clusters:\n"
                        + "  - name: ../prod\n"
                        + "    nodes:\n"
                        + "      - {name: 'db 1', host: h}\n",
                    "manager.yml",
                    k -> null,
                    dir));
    assertThat(m)
        .contains("clusters[0].name: '../prod' cannot be used")
        .contains("clusters[0].nodes[0].name: 'db 1' cannot be used: names are letters, digits");
  }

  @Test
  void advertiseTakesIpv6() {
    assertThat(load("receiver: {advertise: '[fd00::5]:4500'}\n").receiver().advertiseHost())
        .isEqualTo("fd00::5");
    assertThatThrownBy(() -> load("receiver: {advertise: '[fd00::5'}\n"))
        .hasMessageContaining("receiver.advertise");
  }
}
