package io.dbjobs.common.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbjobs.common.config.ConfigProblems;
import io.dbjobs.common.config.ConfigTree;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Reading the HTTP limits from a server's config object. */
class HttpLimitsTest {
  private static final HttpLimits DEFAULTS = HttpLimits.defaults(65536, 2, 8);

  private static ConfigTree api(String yaml, ConfigProblems problems) {
    return ConfigTree.parse(yaml, "test.yml", problems, n -> null, null).child("api");
  }

  @Test
  void takesTheDefaultsForEveryKeyAbsent() {
    ConfigProblems p = new ConfigProblems();
    HttpLimits l = HttpLimits.read(api("api: {port: 1}\n", p), DEFAULTS);
    assertThat(p.list()).isEmpty();
    assertThat(l).isEqualTo(DEFAULTS);
    assertThat(l.headerTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(l.bodyTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(l.maxHeaderSize()).isEqualTo(8192);
    assertThat(l.maxConnections()).isEqualTo(256);
    assertThat(l.maxUnauthenticated()).isEqualTo(128);
    assertThat(l.maxUnauthenticatedPerAddress()).isEqualTo(32);
  }

  @Test
  void readsEveryKey() {
    ConfigProblems p = new ConfigProblems();
    HttpLimits l =
        HttpLimits.read(
            api(
                "api:\n  headerTimeout: 2s\n  bodyTimeout: 5s\n  maxHeaderSize: 4096\n"
                    + "  maxBody: 2048\n  maxConnections: 50\n  maxUnauthenticated: 20\n"
                    + "  maxUnauthenticatedPerAddress: 4\n  threads: 3\n  queue: 0\n",
                p),
            DEFAULTS);
    assertThat(p.list()).isEmpty();
    assertThat(l)
        .isEqualTo(
            new HttpLimits(
                Duration.ofSeconds(2), Duration.ofSeconds(5), 4096, 2048, 50, 20, 4, 3, 0));
  }

  @Test
  void namesTheKeyOfEveryInconsistentOrOutOfRangeValue() {
    ConfigProblems p = new ConfigProblems();
    HttpLimits.read(
        api(
            "api:\n  headerTimeout: 10ms\n  maxBody: 10\n  maxConnections: 10\n"
                + "  maxUnauthenticated: 20\n  maxUnauthenticatedPerAddress: 30\n",
            p),
        DEFAULTS);
    assertThat(String.join("\n", p.list()))
        .contains("api.headerTimeout: is 10ms; must be at least 100ms")
        .contains("api.maxBody: is 10; must be between 1024 and 16777216")
        .contains("api.maxUnauthenticated: is 20; must not exceed maxConnections (10)")
        .contains(
            "api.maxUnauthenticatedPerAddress: is 30; must not exceed maxUnauthenticated (10)");
  }
}
