package io.dbjobs.agent.task.reseed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dbjobs.common.config.Secret;
import io.dbjobs.common.net.HostPort;
import io.dbjobs.common.sql.LiteralQuoter;
import io.dbjobs.common.sql.PinnedLiterals;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReplicationTest {
  /** The quoting of a session pinned to NO_BACKSLASH_ESCAPES (see PinnedLiteralsIT). */
  private static final LiteralQuoter PINNED = PinnedLiterals::underNoBackslashEscapes;

  private final Replication.Source source =
      new Replication.Source(new HostPort("10.0.0.1", 3307), "repl", new Secret("p'w\\d", "test"));

  @Test
  void mariadbRepositionsByGtidSlavePos() {
    List<String> s = new MariaDbReplication().reposition(source, "0-1-42,1-3-7", PINNED);
    assertThat(s)
        .containsExactly(
            "STOP ALL SLAVES",
            "RESET SLAVE ALL",
            "RESET MASTER",
            "SET GLOBAL gtid_slave_pos = '0-1-42,1-3-7'",
            "CHANGE MASTER TO MASTER_HOST='10.0.0.1', MASTER_PORT=3307, MASTER_USER='repl',"
                + " MASTER_PASSWORD='p''w\\d', MASTER_USE_GTID=slave_pos, MASTER_CONNECT_RETRY=5",
            "START SLAVE",
            "SET GLOBAL read_only = 1");
    assertThat(new MariaDbReplication().waitForPositionQuery())
        .isEqualTo("SELECT MASTER_GTID_WAIT(?, ?)");
    assertThat(new MariaDbReplication().disableOnReplica("shop", "night`ly"))
        .isEqualTo("ALTER EVENT `shop`.`night``ly` DISABLE ON SLAVE");
  }

  @Test
  void mysqlRepositionsByGtidPurgedAndAutoPosition() {
    String set = "3E11FA47-71CA-11E1-9E33-C80AA9429562:1-77";
    List<String> s = new MySqlReplication().reposition(source, set, PINNED);
    assertThat(s)
        .containsExactly(
            "STOP REPLICA",
            "RESET REPLICA ALL",
            "RESET MASTER",
            "SET GLOBAL gtid_purged = '" + set + "'",
            "CHANGE REPLICATION SOURCE TO SOURCE_HOST='10.0.0.1', SOURCE_PORT=3307, SOURCE_USER='repl',"
                + " SOURCE_PASSWORD='p''w\\d', SOURCE_AUTO_POSITION=1, SOURCE_CONNECT_RETRY=5,"
                + " GET_SOURCE_PUBLIC_KEY=1",
            "START REPLICA",
            "SET GLOBAL read_only = 1");
    assertThat(new MySqlReplication().waitForPositionQuery())
        .isEqualTo("SELECT WAIT_FOR_EXECUTED_GTID_SET(?, ?)");
    assertThat(new MySqlReplication().statusColumns())
        .contains("Replica_IO_Running", "Seconds_Behind_Source");
  }

  @Test
  void refusesAPositionThatIsNotAGtidOfTheFlavor() {
    for (String bad : List.of("0-1-5' , MASTER_HOST='evil", "0-1", "x-1-2", "0-1-2;")) {
      assertThatThrownBy(() -> new MariaDbReplication().reposition(source, bad, PINNED))
          .hasMessageContaining("is not a MariaDB GTID position")
          .hasMessageContaining("replication was not touched");
    }
    assertThatThrownBy(
            () ->
                new MySqlReplication()
                    .reposition(source, "3E11FA47-71CA-11E1-9E33-C80AA9429562:1-7'", PINNED))
        .hasMessageContaining("is not a MySQL GTID position");
    assertThat(new MariaDbReplication().reposition(source, "", PINNED))
        .contains("SET GLOBAL gtid_slave_pos = ''");
    assertThat(
            new MySqlReplication()
                .reposition(
                    source,
                    "3E11FA47-71CA-11E1-9E33-C80AA9429562:1-5:7,\n"
                        + "4E11FA47-71CA-11E1-9E33-C80AA9429562:tag:1-9",
                    PINNED))
        .contains(
            "SET GLOBAL gtid_purged = '3E11FA47-71CA-11E1-9E33-C80AA9429562:1-5:7,"
                + "4E11FA47-71CA-11E1-9E33-C80AA9429562:tag:1-9'");
  }

  @Test
  void theSourcePrintsWithoutItsPassword() {
    assertThat(source.toString()).doesNotContain("p'w").contains("****");
    assertThat(source.host()).isEqualTo("10.0.0.1");
    assertThat(source.port()).isEqualTo(3307);
  }

  @Test
  void keepsThePasswordOutOfServerMessages() {
    assertThat(
            Repositioning.redacted(
                "error 1064 (42000): You have an error in your SQL syntax; check the manual that"
                    + " corresponds to your MariaDB server version for the right syntax to use near"
                    + " 'p\\'w\\\\d', MASTER_USE_GTID' at line 1",
                source))
        .isEqualTo(
            "error 1064 (42000): You have an error in your SQL syntax; check the manual that"
                + " corresponds to your MariaDB server version for the right syntax to use near"
                + " (statement text withheld) at line 1");
    assertThat(Repositioning.redacted("Access denied for p'w\\d and p''w\\d", source))
        .isEqualTo("Access denied for **** and ****");
  }

  @Test
  void mariadbRepointsOneConnectionKeepingItsPosition() {
    assertThat(new MariaDbReplication().repoint("", source, PINNED))
        .containsExactly(
            "STOP SLAVE",
            "CHANGE MASTER TO MASTER_HOST='10.0.0.1', MASTER_PORT=3307, MASTER_USER='repl',"
                + " MASTER_PASSWORD='p''w\\d', MASTER_USE_GTID=slave_pos",
            "START SLAVE");
    assertThat(new MariaDbReplication().repoint("site'2", source, PINNED))
        .first()
        .isEqualTo("STOP SLAVE 'site''2'");
    assertThat(new MariaDbReplication().repoint("site2", source, PINNED).get(1))
        .startsWith("CHANGE MASTER 'site2' TO MASTER_HOST=");
    assertThat(new MariaDbReplication().startConnection("site2", PINNED))
        .isEqualTo("START SLAVE 'site2'");
    assertThat(new MariaDbReplication().startConnection("", PINNED)).isEqualTo("START SLAVE");
    assertThat(new MariaDbReplication().stopAll()).isEqualTo("STOP ALL SLAVES");
  }

  @Test
  void mysqlRepointsOneChannelByAutoPosition() {
    assertThat(new MySqlReplication().repoint("", source, PINNED))
        .containsExactly(
            "STOP REPLICA FOR CHANNEL ''",
            "CHANGE REPLICATION SOURCE TO SOURCE_HOST='10.0.0.1', SOURCE_PORT=3307,"
                + " SOURCE_USER='repl', SOURCE_PASSWORD='p''w\\d', SOURCE_AUTO_POSITION=1,"
                + " GET_SOURCE_PUBLIC_KEY=1 FOR CHANNEL ''",
            "START REPLICA FOR CHANNEL ''");
    assertThat(new MySqlReplication().startConnection("eu", PINNED))
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
