package io.dbjobs.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.stream.ProgressListener;
import io.dbjobs.common.stream.SourceCompletion;
import io.dbjobs.common.stream.StreamOptions;
import io.dbjobs.common.stream.StreamSender;
import io.dbjobs.common.stream.StreamTarget;
import io.dbjobs.testkit.ConfigFiles;
import io.dbjobs.testkit.DbServer;
import io.dbjobs.testkit.HalfHandshakeFlood;
import io.dbjobs.testkit.MariaDbCluster;
import io.dbjobs.testkit.RawStream;
import io.dbjobs.testkit.ServerOptions;
import io.dbjobs.testkit.TableChecksums;
import io.dbjobs.testkit.Waits;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real {@code physicaldonor} reseed attacked while its joiner waits for the stream: an account
 * with SELECT on the jobs tables reads both ends' rows and races the donor to the joiner's :4444
 * with every secret the rows could hold; then 4,000 half HELLOs hold the listener. The joiner takes
 * only the real donor's stream, and the reseed succeeds. The servers run with a global {@code
 * NO_BACKSLASH_ESCAPES} and the joiner replicates afterwards as a user whose name and password are
 * full of quotes and backslashes.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HostileStreamsIT {
  private static final Duration WAIT = Duration.ofMinutes(2);
  private static final String MODE = "NO_BACKSLASH_ESCAPES,STRICT_TRANS_TABLES";
  private static final String REPL_USER = "re'p\"l\\";
  // (secret files are read stripped of surrounding white space: none at its ends)
  private static final String REPL_PASSWORD = "p'w\"d\\\\x\\' , MASTER_HOST='evil' -- x";

  /** The flood: 4,000 half-sent HELLOs, from more addresses than the caps hold. */
  private static final int FLOOD = 4000;

  private static final int FLOOD_SOURCES = 16;

  @TempDir static Path dir;
  private static FleetFixture fleet;
  private static TableAttacker snoop;

  @BeforeAll
  static void start() throws Exception {
    fleet =
        new FleetFixture(
            "hs",
            2,
            dir,
            true,
            ServerOptions.defaults().set("sql_mode", MODE),
            FleetFixture.RECEIVER);
    DbServer primary = fleet.node(1);
    String user = "`" + REPL_USER.replace("`", "``") + "`@`%`";
    primary.execute(
        "CREATE USER " + user + " IDENTIFIED BY PASSWORD '" + nativeHash(REPL_PASSWORD) + "'",
        "GRANT REPLICATION SLAVE ON *.* TO " + user,
        "CREATE DATABASE shop",
        "CREATE TABLE shop.t (id INT PRIMARY KEY, v VARCHAR(50))",
        "INSERT INTO shop.t VALUES (1, 'a'), (2, 'it''s'), (3, 'back\\slash')");
    snoop = TableAttacker.ordinaryAccount(primary, "snoop");
    fleet.cluster.awaitReplication(WAIT);
    fleet.agentReseedYaml(
        "  replicationUser: '"
            + REPL_USER.replace("'", "''")
            + "'\n  replicationPassword: {file: "
            + ConfigFiles.secret(dir, "quoted-repl.password", REPL_PASSWORD)
            + "}\n");
    // flood connections stay until the test closes them: nothing but the caps protects the
    // listener from them
    fleet.agentStreamYaml(s -> "  handshakeTimeout: 5m\n");
    FleetFixture.Run nodes = fleet.cli("nodes");
    assertThat(nodes.exit()).as(nodes.toString()).isZero();
    fleet.startAgent(fleet.node(2), ""); // the joiner's; the donor's comes when the test says
  }

  @AfterAll
  static void stop() {
    if (fleet != null) {
      fleet.close();
    }
  }

  /** mysql_native_password's stored form: '*' and SHA1(SHA1(password)) in upper-case hex. */
  private static String nativeHash(String password) throws Exception {
    MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
    byte[] once = sha1.digest(password.getBytes(StandardCharsets.UTF_8));
    return "*" + HexFormat.of().withUpperCase().formatHex(sha1.digest(once));
  }

  @Test
  @Order(1)
  void aWaitingJoinerTakesOnlyItsDonorsStreamWhateverTheTablesOfferAndDespiteAFlood()
      throws Exception {
    DbServer donor = fleet.node(1);
    DbServer joiner = fleet.node(2);
    joiner.execute("STOP SLAVE", "SET SESSION sql_log_bin=0", "DELETE FROM shop.t WHERE id=2");
    int port = fleet.streamPort(joiner);

    HeldReseed reseed = HeldReseed.start(fleet, joiner, donor, WAIT);
    // what SELECT on both tables gives: every column of both ends' rows
    List<Map<String, String>> rows =
        List.of(
            snoop.on(joiner).row(Long.parseLong(reseed.joinerRow.get("id"))),
            snoop.on(donor).row(Long.parseLong(reseed.donorRow.get("id"))));
    assertThat(rows.get(0).get("secret_box")).startsWith("v1:");
    List<String> candidates = secretCandidates(rows);
    assertThat(candidates).as("secrets to try").hasSizeGreaterThan(20);
    List<String> taken = new ArrayList<>();
    try (StreamSender attacker = new StreamSender()) {
      for (String secret : candidates) {
        try {
          attacker.send(
              new StreamTarget("127.0.0.1", port, reseed.streamId, secret),
              new ByteArrayInputStream("not a backup".getBytes(StandardCharsets.US_ASCII)),
              SourceCompletion.of(Map.of()),
              StreamOptions.defaults().withHandshakeTimeout(Duration.ofSeconds(10)),
              ProgressListener.NONE);
          taken.add(secret);
        } catch (DbJobsException e) {
          assertThat(e.code()).as(e.getMessage()).isEqualTo(ErrorCode.STREAM_AUTH_FAILED);
        }
      }
    }
    assertThat(taken)
        .as("secrets made of the table's %s values that the joiner accepted", candidates.size())
        .isEmpty();
    assertThat(JobRows.row(joiner, Long.parseLong(reseed.joinerRow.get("id"))).get("state"))
        .as("the joiner still waits for its stream")
        .isEqualTo("2");

    try (HalfHandshakeFlood flood =
        HalfHandshakeFlood.open(port, FLOOD, FLOOD_SOURCES, RawStream.halfHello(reseed.streamId))) {
      assertThat(flood.size()).isEqualTo(FLOOD);
      // a functional deadline: the listener still answers a new HELLO while the flood holds it
      assertThat(
              RawStream.answersWithChallenge(
                  "127.0.0.1", port, reseed.streamId, Duration.ofSeconds(5)))
          .as("a CHALLENGE for a HELLO from 127.0.0.1 while %s half HELLOs are open", FLOOD)
          .isTrue();
      reseed.releaseDonor();
      Waits.until(
          "the joiner to take the donor's stream while the flood holds",
          WAIT,
          () ->
              !"2"
                  .equals(
                      JobRows.row(joiner, Long.parseLong(reseed.joinerRow.get("id")))
                          .get("state")));
      FleetFixture.Run r = reseed.await(Duration.ofMinutes(3));
      assertThat(r.exit()).as(r.toString()).isZero();
      assertThat(r.out()).contains("from donor hs1").contains("succeeded");
    }
    fleet.cluster.awaitReplication(WAIT);
    assertThat(TableChecksums.of(joiner)).isEqualTo(TableChecksums.of(donor)).isNotEmpty();
    assertThat(joiner.value("SELECT COUNT(*) FROM shop.t")).isEqualTo("3");
  }

  @Test
  @Order(2)
  void theReseededJoinerReplicatesAsAUserWithQuotesAndBackslashesUnderNoBackslashEscapes()
      throws Exception {
    DbServer primary = fleet.node(1);
    DbServer joiner = fleet.node(2);
    assertThat(joiner.value("SELECT @@GLOBAL.sql_mode")).contains("NO_BACKSLASH_ESCAPES");
    assertThat(MariaDbCluster.replicationStatus(joiner)).contains("io=Yes sql=Yes");
    try (Connection c = joiner.connect();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SHOW SLAVE STATUS")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString("Master_User")).isEqualTo(REPL_USER);
      assertThat(rs.getString("Master_Port")).isEqualTo(Integer.toString(primary.port()));
    }
    primary.execute("INSERT INTO shop.t VALUES (4, 'o''k \\ after')");
    fleet.cluster.awaitReplication(WAIT);
    assertThat(joiner.value("SELECT v FROM shop.t WHERE id=4")).isEqualTo("o'k \\ after");
  }

  /**
   * Every 32-byte secret an attacker could make of the rows' values: each value and each part of it
   * (split at ':', ',', quotes and braces) that is 64 hex characters, the SHA-256 of each part, and
   * the first, last and post-nonce 32 bytes of each part that decodes as base64.
   */
  static List<String> secretCandidates(List<Map<String, String>> rows) {
    Set<String> out = new LinkedHashSet<>();
    HexFormat hex = HexFormat.of();
    for (Map<String, String> row : rows) {
      for (String value : row.values()) {
        if (value == null || value.isEmpty()) {
          continue;
        }
        List<String> parts = new ArrayList<>(List.of(value.split("[:,\"{}]")));
        parts.add(value);
        for (String p : parts) {
          if (p.length() < 8) {
            continue;
          }
          if (p.matches("[0-9a-fA-F]{64}")) {
            out.add(p.toLowerCase(java.util.Locale.ROOT));
          }
          out.add(hex.formatHex(sha256(p)));
          for (byte[] b : base64(p)) {
            if (b.length >= 32) {
              out.add(hex.formatHex(Arrays.copyOfRange(b, 0, 32)));
              out.add(hex.formatHex(Arrays.copyOfRange(b, b.length - 32, b.length)));
            }
            if (b.length >= 44) {
              out.add(hex.formatHex(Arrays.copyOfRange(b, 12, 44)));
            }
          }
        }
      }
    }
    return List.copyOf(out);
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static List<byte[]> base64(String s) {
    List<byte[]> out = new ArrayList<>();
    for (Base64.Decoder d : List.of(Base64.getUrlDecoder(), Base64.getDecoder())) {
      try {
        out.add(d.decode(s));
      } catch (IllegalArgumentException e) {
        // not this alphabet
      }
    }
    return out;
  }
}
