package io.dbjobs.common.sql;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbjobs.testkit.DbBackend;
import io.dbjobs.testkit.DbServer;
import io.dbjobs.testkit.ServerOptions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * String literals against real servers, one with {@code NO_BACKSLASH_ESCAPES} in its global {@code
 * sql_mode} and one without: the old {@code \'} quoting breaks on the first, {@link PinnedLiterals}
 * and bound parameters are exact on both, and the session leaves with the mode it came with.
 */
class SqlQuotingIT {
  private static final String NBE_MODE = "NO_BACKSLASH_ESCAPES,STRICT_TRANS_TABLES";
  private static final List<String> NASTY =
      List.of(
          "plain",
          "it's",
          "back\\slash",
          "\\'",
          "x\\' OR 1=1 -- ",
          "'; DROP TABLE t; -- ",
          "quote\" and 'single' and \\\\ two",
          "trailing backslash\\",
          "\u00e9t\u00e9 \u6771\u4eac \ud83d\ude00",
          "line\nbreak\ttab\rcr",
          "");
  private static DbServer nbe;
  private static DbServer plain;

  @BeforeAll
  static void startServers() {
    DbBackend backend = DbBackend.fromSystemProperty();
    nbe = backend.start("quotenbe", 1, ServerOptions.defaults().set("sql_mode", NBE_MODE));
    plain = backend.start("quoteplain", 2, ServerOptions.defaults());
  }

  @AfterAll
  static void stopServers() {
    if (nbe != null) {
      nbe.close();
    }
    if (plain != null) {
      plain.close();
    }
  }

  private static String sessionMode(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT @@SESSION.sql_mode")) {
      rs.next();
      return rs.getString(1);
    }
  }

  private static String select(Connection c, String literal) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT " + literal)) {
      rs.next();
      return rs.getString(1);
    }
  }

  @Test
  void theServerReallyRunsWithNoBackslashEscapes() throws SQLException {
    try (Connection c = nbe.connect()) {
      assertThat(sessionMode(c)).contains("NO_BACKSLASH_ESCAPES");
    }
  }

  @Test
  void backslashQuotingIsBrokenUnderNoBackslashEscapes() throws SQLException {
    String value = "x\\' OR 1=1 -- ";
    String old = "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'";
    try (Connection c = nbe.connect()) {
      // the literal ends early: what the server sees is not the value
      String seen;
      try {
        seen = select(c, old);
      } catch (SQLException e) {
        seen = "syntax error: " + e.getMessage();
      }
      assertThat(seen).isNotEqualTo(value);
    }
  }

  @Test
  void pinnedLiteralsArriveExactlyUnderEitherModeAndTheModeIsRestored() throws SQLException {
    for (DbServer server : List.of(nbe, plain)) {
      try (Connection c = server.connect()) {
        String before = sessionMode(c);
        try (PinnedLiterals q = PinnedLiterals.pin(c)) {
          assertThat(sessionMode(c)).contains("NO_BACKSLASH_ESCAPES");
          for (String v : NASTY) {
            assertThat(select(c, q.quote(v))).as(server.name() + ": " + v).isEqualTo(v);
          }
        }
        assertThat(sessionMode(c)).as(server.name()).isEqualTo(before);
      }
    }
  }

  private static String bound(Connection c, String v) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT ?")) {
      ps.setString(1, v);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getString(1);
      }
    }
  }

  @Test
  void boundParametersArriveExactlyUnderTheModeTheSessionConnectedWith() throws SQLException {
    for (DbServer server : List.of(nbe, plain)) {
      try (Connection c = server.connect()) {
        for (String v : NASTY) {
          assertThat(bound(c, v)).as(server.name() + ": " + v).isEqualTo(v);
        }
      }
    }
  }

  /**
   * Why {@link PinnedLiterals} puts the mode back (and aborts a connection it cannot): Connector/J
   * keeps escaping bound parameters for the mode the session connected with.
   */
  @Test
  void boundParametersAreExactAgainOnceThePinnedModeIsRestored() throws SQLException {
    try (Connection c = plain.connect()) {
      try (PinnedLiterals q = PinnedLiterals.pin(c)) {
        assertThat(bound(c, "a\\b")).isNotEqualTo("a\\b");
      }
      for (String v : NASTY) {
        assertThat(bound(c, v)).as(v).isEqualTo(v);
      }
    }
  }

  @Test
  void likeWithAnExplicitEscapeMeansTheSameUnderEitherMode() throws SQLException {
    for (DbServer server : List.of(nbe, plain)) {
      try (Connection c = server.connect()) {
        assertThat(select(c, "'_dbjobs_old_1' LIKE '!_dbjobs!_old!_%' ESCAPE '!'")).isEqualTo("1");
        assertThat(select(c, "'xdbjobsxoldx1' LIKE '!_dbjobs!_old!_%' ESCAPE '!'")).isEqualTo("0");
      }
    }
  }
}
