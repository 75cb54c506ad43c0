package io.dbjobs.agent.task.reseed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.config.Secret;
import io.dbjobs.common.net.HostPort;
import io.dbjobs.testkit.DbBackend;
import io.dbjobs.testkit.DbServer;
import io.dbjobs.testkit.MariaDbCluster;
import io.dbjobs.testkit.ServerOptions;
import io.dbjobs.testkit.Waits;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.HexFormat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Repositioning a replica on real servers whose global {@code sql_mode} has {@code
 * NO_BACKSLASH_ESCAPES}, with a replication user and password full of quotes and backslashes: the
 * replica connects with exactly those (its IO thread runs and rows arrive), and a forged position
 * is refused before the replica's settings change.
 */
class RepositioningIT {
  private static final Duration WAIT = Duration.ofMinutes(1);
  private static final String MODE = "NO_BACKSLASH_ESCAPES,STRICT_TRANS_TABLES";
  private static final String USER = "re'p\"l\\";
  private static final String PASSWORD = "p'w\"d\\\\x\\' , MASTER_HOST='evil' -- ";
  private static DbServer primary;
  private static DbServer replica;

  @BeforeAll
  static void startServers() throws Exception {
    DbBackend backend = DbBackend.fromSystemProperty();
    ServerOptions nbe = ServerOptions.defaults().set("sql_mode", MODE);
    primary = backend.start("reposp", 1, nbe);
    replica = backend.start("reposr", 2, nbe);
    // the user and a hash of the password: no quoting of either is needed to create them
    primary.execute(
        "SET SESSION sql_log_bin=0",
        "CREATE USER `"
            + USER.replace("`", "``")
            + "`@`%` IDENTIFIED BY PASSWORD '"
            + nativePasswordHash(PASSWORD)
            + "'",
        "GRANT REPLICATION SLAVE ON *.* TO `" + USER.replace("`", "``") + "`@`%`");
  }

  @AfterAll
  static void stopServers() {
    if (replica != null) {
      replica.close();
    }
    if (primary != null) {
      primary.close();
    }
  }

  /** mysql_native_password's stored form: '*' and SHA1(SHA1(password)) in upper-case hex. */
  private static String nativePasswordHash(String password) throws Exception {
    MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
    byte[] once = sha1.digest(password.getBytes(StandardCharsets.UTF_8));
    return "*" + HexFormat.of().withUpperCase().formatHex(sha1.digest(once));
  }

  private static Replication.Source source() {
    return new Replication.Source(
        new HostPort(primary.host(), primary.port()), USER, new Secret(PASSWORD, "test"));
  }

  private static String status(String column) throws Exception {
    try (Connection c = replica.connect();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SHOW SLAVE STATUS")) {
      return rs.next() ? rs.getString(column) : null;
    }
  }

  @Test
  void aPasswordWithQuotesAndBackslashesArrivesExactlyUnderNoBackslashEscapes() throws Exception {
    assertThat(replica.value("SELECT @@GLOBAL.sql_mode")).contains("NO_BACKSLASH_ESCAPES");
    String from = primary.value("SELECT @@gtid_binlog_pos");
    try (Connection c = replica.connect()) {
      String modeBefore = sessionMode(c);
      Repositioning.reposition(c, source(), from, null);
      assertThat(sessionMode(c)).isEqualTo(modeBefore);
    }
    assertThat(status("Master_User")).isEqualTo(USER);
    assertThat(status("Master_Host")).isEqualTo(primary.host());
    Waits.until(
        "the replica's IO thread to connect as " + USER,
        WAIT,
        () -> {
          try {
            return "Yes".equals(status("Slave_IO_Running"));
          } catch (Exception e) {
            return false;
          }
        });
    primary.execute(
        "CREATE DATABASE shop",
        "CREATE TABLE shop.t (id INT PRIMARY KEY, v VARCHAR(50))",
        "INSERT INTO shop.t VALUES (1, 'it''s here')");
    MariaDbCluster.awaitApplied(replica, primary.value("SELECT @@gtid_binlog_pos"), WAIT);
    assertThat(replica.value("SELECT v FROM shop.t WHERE id = 1")).isEqualTo("it's here");
    assertThat(replica.value("SELECT @@read_only")).isEqualTo("1");
  }

  @Test
  void aForgedPositionIsRefusedBeforeTheReplicaChanges() throws Exception {
    String userBefore = status("Master_User");
    String posBefore = replica.value("SELECT @@gtid_slave_pos");
    try (Connection c = replica.connect()) {
      assertThatThrownBy(
              () ->
                  Repositioning.reposition(c, source(), "0-1-1', MASTER_HOST='evil.example", null))
          .isInstanceOf(DbJobsException.class)
          .hasMessageContaining("is not a MariaDB GTID position")
          .hasMessageContaining("replication was not touched");
    }
    assertThat(status("Master_User")).isEqualTo(userBefore);
    assertThat(replica.value("SELECT @@gtid_slave_pos")).isEqualTo(posBefore);
  }

  private static String sessionMode(Connection c) throws Exception {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT @@SESSION.sql_mode")) {
      rs.next();
      return rs.getString(1);
    }
  }
}
