package io.dbjobs.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbjobs.manager.cli.DbJobsCli;
import io.dbjobs.testkit.DbServer;
import io.dbjobs.testkit.ServerOptions;
import io.dbjobs.testkit.TestPki;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code clusters[].replicationTls}: the servers run with TLS, the replication user must use it on
 * the primary ({@code REQUIRE SSL}), and a node repositioned by a reseed or re-pointed by recover
 * replicates over TLS with the configured CA and client certificate.
 */
class ReplicationTlsIT {
  @TempDir static Path dir;
  private static FleetFixture fleet;
  private static TestPki pki;
  private static Path config;

  @BeforeAll
  static void start() {
    pki = TestPki.generate(dir.resolve("pki"));
    TestPki.Leaf server = pki.custom("db-server", "db", "DNS:localhost,IP:127.0.0.1");
    TestPki.Leaf client = pki.custom("repl-client", "repl", "DNS:localhost");
    ServerOptions tls =
        ServerOptions.defaults()
            .set("ssl-ca", pki.ca().toString())
            .set("ssl-cert", server.cert().toString())
            .set("ssl-key", server.key().toString());
    fleet = new FleetFixture("tl", 3, dir, true, tls, FleetFixture.RECEIVER);
    try {
      config =
          fleet.managerYaml(
              "manager-tls.yml",
              fleet.cluster.nodes(),
              "replicationTls:\n  ca: "
                  + pki.ca()
                  + "\n  cert: "
                  + client.cert()
                  + "\n  key: "
                  + client.key()
                  + "\n",
              "");
      fleet
          .node(1)
          .execute(
              "CREATE DATABASE shop",
              "CREATE TABLE shop.orders (id INT PRIMARY KEY, v VARCHAR(20))",
              "INSERT INTO shop.orders VALUES (1, 'a')");
      fleet.cluster.awaitReplication(Duration.ofSeconds(60));
      // from now on the primary accepts the replication user over TLS only
      fleet.node(1).execute("SET SESSION sql_log_bin=0", "ALTER USER 'repl'@'%' REQUIRE SSL");
      fleet.startAgents();
    } catch (RuntimeException e) {
      stop();
      throw e;
    }
  }

  @AfterAll
  static void stop() {
    if (fleet != null) {
      fleet.close();
    }
  }

  private static FleetFixture.Run cli(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    List<String> all = new ArrayList<>(List.of("--config", config.toString()));
    all.addAll(List.of(args));
    int exit =
        DbJobsCli.run(
            new PrintWriter(out, true), new PrintWriter(err, true), all.toArray(String[]::new));
    return new FleetFixture.Run(exit, out.toString(), err.toString());
  }

  /** "io sql ssl ca cert" of the default connection. */
  private static String replication(DbServer s) {
    try (Connection c = s.connect();
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SHOW SLAVE STATUS")) {
      return rs.next()
          ? rs.getString("Slave_IO_Running")
              + " "
              + rs.getString("Slave_SQL_Running")
              + " ssl="
              + rs.getString("Master_SSL_Allowed")
              + " ca="
              + rs.getString("Master_SSL_CA_File")
              + " cert="
              + rs.getString("Master_SSL_Cert")
          : "not a replica";
    } catch (java.sql.SQLException e) {
      throw new AssertionError(e);
    }
  }

  private static void assertReplicatesOverTls(DbServer replica, String tag) {
    assertThat(replication(replica))
        .isEqualTo(
            "Yes Yes ssl=Yes ca="
                + pki.ca()
                + " cert="
                + pki.custom("repl-client", "repl", "DNS:localhost").cert());
    fleet
        .node(1)
        .execute("INSERT INTO shop.orders SELECT MAX(id) + 1, '" + tag + "' FROM shop.orders");
    fleet.cluster.awaitReplication(Duration.ofSeconds(60));
    assertThat(replica.value("SELECT COUNT(*) FROM shop.orders WHERE v='" + tag + "'"))
        .isEqualTo("1");
  }

  @Test
  void aReseedSetsUpReplicationOverTls() {
    FleetFixture.Run r = cli("reseed", "--node", "tl2", "--method", "logicalmaster");
    assertThat(r.exit()).as(r.toString()).isZero();
    assertReplicatesOverTls(fleet.node(2), "after-reseed");
  }

  @Test
  void recoverRepointsOverTls() {
    DbServer replica = fleet.node(3);
    assertThat(replication(replica)).contains("ssl=No");
    FleetFixture.Run r = cli("recover", "--node", "tl3");
    assertThat(r.exit()).as(r.toString()).isZero();
    assertReplicatesOverTls(replica, "after-recover");
  }
}
