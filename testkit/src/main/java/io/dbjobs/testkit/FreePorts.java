package io.dbjobs.testkit;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Free TCP ports for test servers and listeners, chosen <em>below</em> the kernel's ephemeral range
 * ({@code net.ipv4.ip_local_port_range}). A port handed out here is often bound much later (an
 * agent's stream listener binds when its reseed starts); from the ephemeral range, any outgoing
 * connection in between (JDBC, replication) could take it as its local port and the listener would
 * fail with "Address already in use". Below the range only a process that binds it on purpose can,
 * and this class never hands out the same port twice in one JVM. A candidate must be bindable on
 * every address (wildcard) right now.
 */
public final class FreePorts {
  private static final int LOWEST = 10_000;
  private static final Set<Integer> GIVEN = ConcurrentHashMap.newKeySet();

  private FreePorts() {}

  public static int next() {
    int below = ephemeralLow();
    if (below - LOWEST >= 1_000) {
      for (int i = 0; i < 2_000; i++) {
        int p = ThreadLocalRandom.current().nextInt(LOWEST, below);
        if (!GIVEN.contains(p) && bindable(p) && GIVEN.add(p)) {
          return p;
        }
      }
    }
    return ephemeral(); // a kernel with a huge ephemeral range: the old way
  }

  private static boolean bindable(int port) {
    try (ServerSocket s = new ServerSocket()) {
      s.setReuseAddress(false);
      s.bind(new InetSocketAddress(port), 1);
      return true;
    } catch (IOException e) {
      return false; // taken, or in TIME_WAIT: the caller tries another
    }
  }

  private static int ephemeral() {
    try (ServerSocket s = new ServerSocket(0)) {
      int p = s.getLocalPort();
      GIVEN.add(p);
      return p;
    } catch (IOException e) {
      throw new UncheckedIOException("no free port", e);
    }
  }

  /** The first port of the ephemeral range; 32768 (Linux's default) when it cannot be read. */
  static int ephemeralLow() {
    Path range = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
    // read as a line: Files.readString trusts /proc's reported size and returns one byte
    try (BufferedReader r = Files.newBufferedReader(range)) {
      String line = r.readLine();
      return Integer.parseInt(line.trim().split("\\s+")[0]);
    } catch (IOException | RuntimeException e) {
      return 32_768; // not Linux, or unreadable: the usual default
    }
  }
}
