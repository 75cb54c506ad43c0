package io.dbjobs.agent.task.reseed;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DonorReplicationFilesTest {
  @TempDir Path dir;

  private Path newData(String... names) throws Exception {
    Path d = Files.createDirectories(dir.resolve("new"));
    for (String n : names) {
      Files.writeString(d.resolve(n), "donor's " + n);
    }
    Files.createDirectories(d.resolve("mysql"));
    return d;
  }

  @Test
  void takesEveryMariaDbReplicationFileOutOfTheNewDataAndNothingElse() throws Exception {
    Path d =
        newData(
            "master.info",
            "multi-master.info",
            "master-other.info",
            "relay-log.info",
            "relay-log-other.info",
            "relay-bin.000001",
            "relay-bin.index",
            "relay-bin-other.000003",
            "relay-bin-other.index",
            "donorhost-relay-bin.000012",
            "donorhost-relay-bin.index",
            "ibdata1",
            "ib_logfile0",
            "mysql-bin.000001",
            "xtrabackup_binlog_info",
            "aria_log_control");
    List<String> done =
        DonorReplicationFiles.neutralise(
            DonorReplicationFiles.Flavor.MARIADB,
            d,
            dir.resolve("joiner"),
            DonorReplicationFiles.JoinerNames.NONE);
    assertThat(DurableFiles.names(d))
        .containsExactly(
            "aria_log_control",
            "ib_logfile0",
            "ibdata1",
            "mysql",
            "mysql-bin.000001",
            "xtrabackup_binlog_info");
    assertThat(done).hasSize(11).allMatch(s -> s.startsWith("removed "));
  }

  @Test
  void alsoRemovesFilesNamedAfterTheJoinersOwnRelayLogSettings() throws Exception {
    Path d =
        newData(
            "repl.000001",
            "repl.index",
            "repl-eu.000001",
            "slave.info",
            "slave-eu.info",
            "replace.me");
    DonorReplicationFiles.neutralise(
        DonorReplicationFiles.Flavor.MARIADB,
        d,
        dir.resolve("joiner"),
        new DonorReplicationFiles.JoinerNames("repl", "slave.info"));
    assertThat(DurableFiles.names(d)).containsExactly("mysql", "replace.me");
  }

  @Test
  void mySqlNewDataGetsTheJoinersOwnIdentityAndHoldsReplicationUntilRepositioned()
      throws Exception {
    Path joiner = Files.createDirectories(dir.resolve("joiner"));
    Files.writeString(joiner.resolve("auto.cnf"), "[auto]\nserver-uuid=joiner-uuid\n");
    Files.writeString(
        joiner.resolve("mysqld-auto.cnf"),
        "{\"Version\":1,\"mysql_server\":{\"max_connections\":{\"Value\":\"500\"}}}");
    Path d =
        newData(
            "auto.cnf", "mysqld-auto.cnf", "relay-log.info", "host-relay-bin.000002", "mysql.ibd");

    DonorReplicationFiles.neutralise(
        DonorReplicationFiles.Flavor.MYSQL, d, joiner, DonorReplicationFiles.JoinerNames.NONE);

    assertThat(DurableFiles.names(d))
        .containsExactly("auto.cnf", "mysql", "mysql.ibd", "mysqld-auto.cnf");
    assertThat(Files.readString(d.resolve("auto.cnf"))).contains("joiner-uuid");
    JsonNode persisted = StepJournal.JSON.readTree(d.resolve("mysqld-auto.cnf").toFile());
    assertThat(persisted.at("/mysql_server/max_connections/Value").asText()).isEqualTo("500");
    assertThat(
            persisted
                .at("/mysql_server/mysql_server_static_options/skip_replica_start/Value")
                .asText())
        .isEqualTo("ON");
    assertThat(DonorReplicationFiles.afterRepositioning(DonorReplicationFiles.Flavor.MYSQL))
        .containsExactly("RESET PERSIST IF EXISTS skip_replica_start");
    assertThat(DonorReplicationFiles.afterRepositioning(DonorReplicationFiles.Flavor.MARIADB))
        .isEmpty();
  }

  @Test
  void mySqlWithoutJoinerIdentityRemovesTheDonorsUuid() throws Exception {
    Path d = newData("auto.cnf", "mysql.ibd");
    DonorReplicationFiles.neutralise(
        DonorReplicationFiles.Flavor.MYSQL,
        d,
        Files.createDirectories(dir.resolve("joiner")),
        DonorReplicationFiles.JoinerNames.NONE);
    assertThat(DurableFiles.names(d)).containsExactly("mysql", "mysql.ibd", "mysqld-auto.cnf");
  }

  @Test
  void tellsTheFlavorFromThePreparedData() throws Exception {
    Path d = newData("ibdata1");
    assertThat(ReseedPhysicalHandler.flavorOf(d)).isEqualTo(DonorReplicationFiles.Flavor.MARIADB);
    Files.writeString(d.resolve("mysql.ibd"), "");
    assertThat(ReseedPhysicalHandler.flavorOf(d)).isEqualTo(DonorReplicationFiles.Flavor.MYSQL);
  }
}
