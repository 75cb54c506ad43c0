package io.dbjobs.common.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import java.util.List;
import org.junit.jupiter.api.Test;

class HostPortTest {
  @Test
  void parsesHostNamesIpv4AndBracketedIpv6() {
    assertThat(HostPort.parse("db1:3306")).isEqualTo(new HostPort("db1", 3306));
    assertThat(HostPort.parse("db-1.prod.example.com:1"))
        .isEqualTo(new HostPort("db-1.prod.example.com", 1));
    assertThat(HostPort.parse("10.0.0.254:65535")).isEqualTo(new HostPort("10.0.0.254", 65535));
    assertThat(HostPort.parse("[::1]:3307")).isEqualTo(new HostPort("::1", 3307));
    assertThat(HostPort.parse("[2001:db8::8a2e:370:7334]:3306").host())
        .isEqualTo("2001:db8::8a2e:370:7334");
    assertThat(HostPort.parse("[::ffff:192.0.2.1]:3306").host()).isEqualTo("::ffff:192.0.2.1");
    assertThat(HostPort.parse("[1:2:3:4:5:6:7:8]:9").isIpv6()).isTrue();
  }

  @Test
  void printsBackToWhatItParses() {
    for (String s : List.of("db1:3306", "10.0.0.1:4444", "[::1]:3306", "[fe80::1]:1")) {
      assertThat(HostPort.parse(s).toString()).isEqualTo(s);
    }
  }

  @Test
  void refusesTheQuoteInjectionOfThePrimaryParameter() {
    assertThatThrownBy(() -> HostPort.parse("127.0.0.1' , MASTER_HOST='evil.example:3306"))
        .isInstanceOf(DbJobsException.class)
        .satisfies(e -> assertThat(((DbJobsException) e).code()).isEqualTo(ErrorCode.BAD_PARAMETER))
        .hasMessageContaining("is not a host name or IPv4 address");
  }

  @Test
  void refusesEverythingThatIsNotAHostNameOrAddress() {
    for (String bad :
        List.of(
            "",
            "db1",
            ":3306",
            "db1:",
            "db1:0",
            "db1:65536",
            "db1:99999999",
            "db1:-1",
            "db1:33 06",
            "--no-data:3306",
            "-db1:3306",
            "db1-:3306",
            "db_1:3306",
            "db 1:3306",
            "db1..example:3306",
            ".db1:3306",
            "db1.:3306",
            "db1\n:3306",
            "db1\\:3306",
            "db`1:3306",
            "256.1.1.1:3306",
            "1.2.3:3306",
            "127.1:3306",
            "010.0.0.1:3306",
            "0x7f.0.0.1:3306",
            "::1:3306",
            "[::1:3306",
            "::1]:3306",
            "[db1]:3306",
            "[fe80::1%eth0]:3306",
            "[1::2::3]:3306",
            "[1:2:3:4:5:6:7:8:9]:3306",
            "[12345::1]:3306",
            "[::1.2.3.4.5]:3306",
            "a".repeat(64) + ":3306",
            ("a".repeat(60) + ".").repeat(5) + "com:3306")) {
      assertThat(HostPort.problemWith(bad)).as(bad).isNotNull();
      assertThatThrownBy(() -> HostPort.parse(bad)).as(bad).isInstanceOf(DbJobsException.class);
    }
  }

  @Test
  void checksHostsAndPortsOnTheirOwn() {
    assertThat(HostPort.problemWithHost("db1")).isNull();
    assertThat(HostPort.problemWithHost("2001:db8::1")).isNull();
    assertThat(HostPort.problemWithHost("db1;rm -rf /")).contains("not a host name");
    assertThat(HostPort.problemWithPort(0)).contains("between 1 and 65535");
    assertThatThrownBy(() -> new HostPort("ok", 70000)).hasMessageContaining("70000");
  }

  @Test
  void showsControlCharactersInMessagesWithoutPrintingThem() {
    assertThat(HostPort.problemWith("db\u001b[2J1:3306"))
        .contains("\\u001b")
        .doesNotContain("\u001b");
  }
}
