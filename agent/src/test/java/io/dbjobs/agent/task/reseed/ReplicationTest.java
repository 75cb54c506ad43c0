package io.dbjobs.agent.task.reseed;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ReplicationTest {
  private final Replication.Source source =
      new Replication.Source("10.0.0.1", 3307, "repl", "p'w\\d");

  @Test
  void mariadbRepositionsByGtidSlavePos() {
    List<String> s = new MariaDbReplication().reposition(source, "0-1-42,1-3-7");
    assertThat(s)
        .containsExactly(
            "STOP ALL SLAVES",
            "RESET SLAVE ALL",
            "RESET MASTER",
            "SET GLOBAL gtid_slave_pos = '0-1-42,1-3-7'",
            "CHANGE MASTER TO MASTER_HOST='10.0.0.1', MASTER_PORT=3307, MASTER_USER='repl',"
                + " MASTER_PASSWORD='p\\'w\\\\d', MASTER_USE_GTID=slave_pos, MASTER_CONNECT_RETRY=5",
            "START SLAVE",
            "SET GLOBAL read_only = 1");
    assertThat(new MariaDbReplication().waitForPositionQuery("0-1-42", 1))
        .isEqualTo("SELECT MASTER_GTID_WAIT('0-1-42', 1)");
    assertThat(new MariaDbReplication().disableOnReplica("shop", "nightly"))
        .isEqualTo("ALTER EVENT `shop`.`nightly` DISABLE ON SLAVE");
  }

  @Test
  void mysqlRepositionsByGtidPurgedAndAutoPosition() {
    String set = "3E11FA47-71CA-11E1-9E33-C80AA9429562:1-77";
    List<String> s = new MySqlReplication().reposition(source, set);
    assertThat(s)
        .containsExactly(
            "STOP REPLICA",
            "RESET REPLICA ALL",
            "RESET MASTER",
            "SET GLOBAL gtid_purged = '" + set + "'",
            "CHANGE REPLICATION SOURCE TO SOURCE_HOST='10.0.0.1', SOURCE_PORT=3307, SOURCE_USER='repl',"
                + " SOURCE_PASSWORD='p\\'w\\\\d', SOURCE_AUTO_POSITION=1, SOURCE_CONNECT_RETRY=5,"
                + " GET_SOURCE_PUBLIC_KEY=1",
            "START REPLICA",
            "SET GLOBAL read_only = 1");
    assertThat(new MySqlReplication().waitForPositionQuery(set, 1))
        .isEqualTo("SELECT WAIT_FOR_EXECUTED_GTID_SET('" + set + "', 1)");
    assertThat(new MySqlReplication().statusColumns())
        .contains("Replica_IO_Running", "Seconds_Behind_Source");
  }

  @Test
  void mariadbRepointsOneConnectionKeepingItsPosition() {
    assertThat(new MariaDbReplication().repoint("", source))
        .containsExactly(
            "STOP SLAVE",
            "CHANGE MASTER TO MASTER_HOST='10.0.0.1', MASTER_PORT=3307, MASTER_USER='repl',"
                + " MASTER_PASSWORD='p\\'w\\\\d', MASTER_USE_GTID=slave_pos",
            "START SLAVE");
    assertThat(new MariaDbReplication().repoint("site'2", source))
        .first()
        .isEqualTo("STOP SLAVE 'site\\'2'");
    assertThat(new MariaDbReplication().repoint("site2", source).get(1))
        .startsWith("CHANGE MASTER 'site2' TO MASTER_HOST=");
    assertThat(new MariaDbReplication().startConnection("site2")).isEqualTo("START SLAVE 'site2'");
    assertThat(new MariaDbReplication().startConnection("")).isEqualTo("START SLAVE");
    assertThat(new MariaDbReplication().stopAll()).isEqualTo("STOP ALL SLAVES");
  }

  @Test
  void mysqlRepointsOneChannelByAutoPosition() {
    assertThat(new MySqlReplication().repoint("", source))
        .containsExactly(
            "STOP REPLICA FOR CHANNEL ''",
            "CHANGE REPLICATION SOURCE TO SOURCE_HOST='10.0.0.1', SOURCE_PORT=3307,"
                + " SOURCE_USER='repl', SOURCE_PASSWORD='p\\'w\\\\d', SOURCE_AUTO_POSITION=1,"
                + " GET_SOURCE_PUBLIC_KEY=1 FOR CHANNEL ''",
            "START REPLICA FOR CHANNEL ''");
    assertThat(new MySqlReplication().startConnection("eu"))
        .isEqualTo("START REPLICA FOR CHANNEL 'eu'");
  }

  @Test
  void picksTheFlavorFromTheServersVersion() {
    assertThat(Replication.forServer("10.11.19-MariaDB-0+deb12u1-log", "Debian 12"))
        .isInstanceOf(MariaDbReplication.class);
    assertThat(Replication.forServer("8.0.36", "MySQL Community Server - GPL"))
        .isInstanceOf(MySqlReplication.class);
  }
}
