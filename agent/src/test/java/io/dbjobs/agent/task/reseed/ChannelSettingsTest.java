package io.dbjobs.agent.task.reseed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.config.Secret;
import io.dbjobs.common.net.HostPort;
import io.dbjobs.common.sql.LiteralQuoter;
import io.dbjobs.common.sql.PinnedLiterals;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChannelSettingsTest {
  private static final LiteralQuoter PINNED = PinnedLiterals::underNoBackslashEscapes;

  private static ChannelSettings west(String name, String host, String user, String gtid) {
    return new ChannelSettings(
        name, host, 3310, user, gtid, true, "/etc/ssl/ca.pem", null, null, false, "7");
  }

  @Test
  void setsUpANamedConnectionAgainWithItsSslSettingsAndGtidMode() {
    assertThat(west("west", "10.0.0.9", "repl_w", "slave_pos").changeMaster("s'e", PINNED))
        .isEqualTo(
            "CHANGE MASTER 'west' TO MASTER_HOST='10.0.0.9', MASTER_PORT=3310,"
                + " MASTER_USER='repl_w', MASTER_PASSWORD='s''e', MASTER_USE_GTID=slave_pos,"
                + " MASTER_CONNECT_RETRY=5, MASTER_SSL=1, MASTER_SSL_CA='/etc/ssl/ca.pem',"
                + " MASTER_SSL_VERIFY_SERVER_CERT=0");
  }

  @Test
  void mariadbRepositioningSetsUpEveryConnectionAndStartsThemAll() {
    Replication.Source src =
        new Replication.Source(new HostPort("10.0.0.1", 3307), "repl", new Secret("pw", "t"));
    List<String> s =
        new MariaDbReplication()
            .reposition(src, "0-1-42,7-9-3", List.of("CHANGE MASTER 'west' TO X"), PINNED);
    assertThat(s)
        .containsSubsequence(
            "SET GLOBAL gtid_slave_pos = '0-1-42,7-9-3'",
            "CHANGE MASTER 'west' TO X",
            "START ALL SLAVES",
            "SET GLOBAL read_only = 1");
    assertThatThrownBy(
            () -> new MySqlReplication().reposition(src, "", List.of("CHANGE X"), PINNED))
        .hasMessageContaining("MariaDB only");
  }

  @Test
  void refusesHostileNamesHostsUsersAndPaths() {
    for (ChannelSettings bad :
        List.of(
            west("west'; DROP TABLE x; --", "10.0.0.9", "repl", "slave_pos"),
            west("", "10.0.0.9", "repl", "slave_pos"),
            west("a".repeat(65), "10.0.0.9", "repl", "slave_pos"),
            west("west", "evil.example', MASTER_HOST='x", "repl", "slave_pos"),
            west("west", "10.0.0.9", "re\\pl", "slave_pos"),
            west("west", "10.0.0.9", "repl", "slave_pos; DROP"),
            new ChannelSettings(
                "west",
                "10.0.0.9",
                3310,
                "repl",
                "slave_pos",
                true,
                "ca.pem",
                null,
                null,
                false,
                ""))) {
      assertThatThrownBy(bad::checked)
          .isInstanceOf(DbJobsException.class)
          .satisfies(
              e -> assertThat(((DbJobsException) e).code()).isEqualTo(ErrorCode.PREFLIGHT_REFUSED))
          .hasMessageContaining("cannot be set up again");
    }
  }

  @Test
  void refusesAConnectionByFilePositionNamingIt() {
    assertThatThrownBy(() -> west("west", "10.0.0.9", "repl", "no").checked())
        .hasMessageContaining("connection 'west' (from 10.0.0.9:3310)")
        .hasMessageContaining("MASTER_USE_GTID=no");
  }

  @Test
  void keepsThePositionOfItsOwnDomains() {
    assertThat(ChannelSettings.domains("0-1-5, 7-9-3")).isEqualTo("0,7");
    assertThat(ChannelSettings.domains("")).isEmpty();
    assertThat(west("west", "h", "u", "slave_pos").inMyDomains("0-1-50,7-9-12,8-2-1"))
        .isEqualTo("7-9-12");
    assertThat(west("west", "h", "u", "slave_pos").inMyDomains("0-1-50")).isEmpty();
  }

  @Test
  void repositionsByFilePositionWithGtidOffForTheDefaultConnection() {
    Replication.Source src =
        new Replication.Source(new HostPort("10.0.0.1", 3307), "repl", new Secret("pw", "t"));
    io.dbjobs.common.backup.BackupPosition at =
        new io.dbjobs.common.backup.BackupPosition(null, "mysql-bin.000003", 1234L);
    assertThat(new MariaDbReplication().repositionByBinlog(src, at, List.of(), PINNED))
        .containsExactly(
            "STOP ALL SLAVES",
            "RESET SLAVE ALL",
            "RESET MASTER",
            "SET GLOBAL gtid_slave_pos = ''",
            "CHANGE MASTER TO MASTER_HOST='10.0.0.1', MASTER_PORT=3307, MASTER_USER='repl',"
                + " MASTER_PASSWORD='pw', MASTER_LOG_FILE='mysql-bin.000003', MASTER_LOG_POS=1234,"
                + " MASTER_USE_GTID=no, MASTER_CONNECT_RETRY=5",
            "START SLAVE",
            "SET GLOBAL read_only = 1");
    assertThat(new MySqlReplication().repositionByBinlog(src, at, List.of(), PINNED))
        .anySatisfy(
            s ->
                assertThat(s)
                    .contains("SOURCE_LOG_FILE='mysql-bin.000003', SOURCE_LOG_POS=1234")
                    .contains("SOURCE_AUTO_POSITION=0"));
    assertThatThrownBy(
            () ->
                new MariaDbReplication()
                    .repositionByBinlog(
                        src,
                        new io.dbjobs.common.backup.BackupPosition(
                            null, "mysql-bin.000003' , MASTER_HOST='x", 4L),
                        List.of(),
                        PINNED))
        .isInstanceOf(DbJobsException.class);
  }

  @Test
  void aBinlogNoteRoundTripsThroughTheJournal() {
    io.dbjobs.common.backup.BackupPosition at =
        new io.dbjobs.common.backup.BackupPosition("0-1-7", "mysql-bin.000003", 1234L);
    String note = Repositioning.binlogNote(at);
    assertThat(note).isEqualTo("binlog mysql-bin.000003:1234 0-1-7");
    assertThat(Repositioning.isBinlogNote(note)).isTrue();
    assertThat(Repositioning.isBinlogNote("0-1-7")).isFalse();
    assertThat(Repositioning.fromBinlogNote(note)).isEqualTo(at);
  }
}
