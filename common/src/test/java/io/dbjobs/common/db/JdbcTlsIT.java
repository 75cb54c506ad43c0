package io.dbjobs.common.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dbjobs.common.config.DatabaseEndpoint;
import io.dbjobs.common.config.Secret;
import io.dbjobs.testkit.DbBackend;
import io.dbjobs.testkit.DbServer;
import io.dbjobs.testkit.ServerOptions;
import io.dbjobs.testkit.TestPki;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * JDBC TLS against real servers: one started with a certificate of the test PKI ({@code
 * ssl_cert/ssl_key/ssl_ca}), one without TLS. {@code required} connects encrypted (the session's
 * {@code Ssl_cipher} is set), with the CA it also verifies the server's certificate and refuses one
 * of another CA; {@code required} against the server without TLS fails saying so.
 */
class JdbcTlsIT {
  private static DbServer tlsServer;
  private static DbServer plainServer;
  private static TestPki pki;
  @TempDir static Path dir;

  @BeforeAll
  static void startServers() {
    pki = TestPki.generate(dir.resolve("pki"));
    DbBackend backend = DbBackend.local();
    tlsServer =
        backend.start(
            "jdbctls",
            1,
            ServerOptions.defaults()
                .set("ssl_cert", pki.cert("receiver").toString())
                .set("ssl_key", pki.key("receiver").toString())
                .set("ssl_ca", pki.ca().toString()));
    plainServer = backend.start("jdbcplain", 2, ServerOptions.defaults());
  }

  @AfterAll
  static void stopServers() {
    if (tlsServer != null) {
      tlsServer.close();
    }
    if (plainServer != null) {
      plainServer.close();
    }
  }

  private static Connection connect(DbServer s, DbTls tls) throws SQLException {
    DatabaseEndpoint ep =
        new DatabaseEndpoint(
            s.host(), s.port(), null, s.adminUser(), new Secret(s.adminPassword(), "test"), tls);
    Properties p = new Properties();
    p.setProperty("user", ep.user());
    p.setProperty("password", ep.password().reveal());
    return DriverManager.getConnection(DataSources.jdbcUrl(ep, Duration.ofSeconds(5)), p);
  }

  private static String cipher(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SHOW SESSION STATUS LIKE 'Ssl_cipher'")) {
      rs.next();
      return rs.getString(2);
    }
  }

  @Test
  void requiredConnectsOverTls() throws SQLException {
    try (Connection c = connect(tlsServer, new DbTls(DbTls.Mode.REQUIRED, null))) {
      assertThat(cipher(c)).isNotBlank();
    }
  }

  @Test
  void requiredWithTheCaVerifiesTheServersCertificate() throws SQLException {
    try (Connection c = connect(tlsServer, new DbTls(DbTls.Mode.REQUIRED, pki.ca()))) {
      assertThat(cipher(c)).isNotBlank();
    }
  }

  @Test
  void requiredWithAnotherCaRefusesTheServer() {
    Path otherCa = pki.ca().resolveSibling("other-ca.pem");
    assertThatThrownBy(() -> connect(tlsServer, new DbTls(DbTls.Mode.REQUIRED, otherCa)).close())
        .isInstanceOf(SQLException.class)
        .satisfies(
            e ->
                assertThat(SqlErrors.message(e))
                    .contains("TLS failed")
                    .contains("does not chain with any of the trust anchors")
                    .contains("check the database tls and ca settings"));
  }

  @Test
  void requiredAgainstAServerWithoutTlsFailsSayingSo() {
    assertThatThrownBy(() -> connect(plainServer, new DbTls(DbTls.Mode.REQUIRED, null)).close())
        .isInstanceOf(SQLException.class)
        .satisfies(
            e ->
                assertThat(SqlErrors.message(e))
                    .as(SqlErrors.message(e))
                    .contains("SSL Connection required, but not provided by server")
                    .contains("the server offers no TLS"));
  }

  @Test
  void preferredEncryptsWhenOfferedAndOffNever() throws SQLException {
    try (Connection c = connect(tlsServer, DbTls.PREFERRED)) {
      assertThat(cipher(c)).isNotBlank();
    }
    try (Connection c = connect(plainServer, DbTls.PREFERRED)) {
      assertThat(cipher(c)).isBlank();
    }
    try (Connection c = connect(tlsServer, new DbTls(DbTls.Mode.OFF, null))) {
      assertThat(cipher(c)).isBlank();
    }
  }

  @Test
  void aPoolUsesTheEndpointsTls() throws SQLException {
    DatabaseEndpoint ep =
        new DatabaseEndpoint(
            tlsServer.host(),
            tlsServer.port(),
            null,
            tlsServer.adminUser(),
            new Secret(tlsServer.adminPassword(), "test"),
            new DbTls(DbTls.Mode.REQUIRED, pki.ca()));
    try (com.zaxxer.hikari.HikariDataSource pool =
            DataSources.pool(ep, "tls-test", 1, Duration.ofSeconds(5));
        Connection c = pool.getConnection()) {
      assertThat(cipher(c)).isNotBlank();
    }
  }
}
