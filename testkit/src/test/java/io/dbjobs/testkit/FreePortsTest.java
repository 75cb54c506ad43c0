package io.dbjobs.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FreePortsTest {
  @Test
  void portsComeFromBelowTheEphemeralRangeNeverTwiceAndAreBindable() throws Exception {
    int low = FreePorts.ephemeralLow();
    if (java.nio.file.Files.exists(
        java.nio.file.Path.of("/proc/sys/net/ipv4/ip_local_port_range"))) {
      assertThat(low).as("the range's first port, as read from /proc").isGreaterThan(11_000);
    }
    Set<Integer> seen = new HashSet<>();
    for (int i = 0; i < 50; i++) {
      int p = FreePorts.next();
      assertThat(p).isBetween(10_000, low - 1);
      assertThat(seen.add(p)).as("port %d handed out twice", p).isTrue();
    }
    int p = FreePorts.next();
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress(p));
      assertThat(s.getLocalPort()).isEqualTo(p);
    }
  }
}
