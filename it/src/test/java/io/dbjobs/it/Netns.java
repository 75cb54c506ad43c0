package io.dbjobs.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A network namespace joined to the host by a veth pair, for tests that cut a link mid-stream. The
 * namespace's loopback stays down and {@code 127.0.0.0/8} is routed over the veth (with {@code
 * route_localnet} on both ends), so a process started in it ({@link #prefix}) that connects to
 * {@code 127.0.0.1:PORT} reaches the host's loopback services through the veth, and nothing else:
 * taking the link down cuts exactly that traffic. A Unix socket (a database's) is not namespaced
 * and stays reachable. Needs root and {@code ip} ({@code tc} to slow the link); {@link
 * #unavailable} says why not. Closing it deletes the namespace and so both veth ends.
 */
final class Netns implements AutoCloseable {
  private final String name;
  private final String hostSide;
  private final String nsSide;
  final String hostAddress;
  final String nsAddress;

  private Netns(String name, String hostSide, String nsSide, String hostAddress, String nsAddress) {
    this.name = name;
    this.hostSide = hostSide;
    this.nsSide = nsSide;
    this.hostAddress = hostAddress;
    this.nsAddress = nsAddress;
  }

  /** Why this machine cannot run namespace tests, or empty when it can. */
  static Optional<String> unavailable() {
    if (!"root".equals(System.getProperty("user.name"))) {
      return Optional.of(
          "needs root for ip netns and veth (user is " + System.getProperty("user.name") + ")");
    }
    for (String tool : List.of("ip", "tc")) {
      if (find(tool) == null) {
        return Optional.of(
            "needs the '"
                + tool
                + "' command (iproute2), not found on PATH or in /usr/sbin, /sbin");
      }
    }
    return Optional.empty();
  }

  private static String find(String tool) {
    List<String> dirs = new ArrayList<>(List.of("/usr/sbin", "/sbin", "/usr/bin", "/bin"));
    String path = System.getenv("PATH");
    if (path != null) {
      dirs.addAll(0, List.of(path.split(":")));
    }
    for (String d : dirs) {
      Path p = Path.of(d, tool);
      if (Files.isExecutable(p)) {
        return p.toString();
      }
    }
    return null;
  }

  /** Creates a namespace with a random name and a random /30 in 10.128.0.0/9 for its veth pair. */
  static Netns create() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    String tag = Integer.toHexString(0x100000 + r.nextInt(0xEFFFFF));
    int b = 128 + r.nextInt(128);
    int c = r.nextInt(256);
    int d = r.nextInt(64) * 4;
    Netns n =
        new Netns(
            "dbj" + tag,
            "dbj" + tag + "h",
            "dbj" + tag + "n",
            "10." + b + "." + c + "." + (d + 1),
            "10." + b + "." + c + "." + (d + 2));
    try {
      run("ip", "netns", "add", n.name);
      run("ip", "link", "add", n.hostSide, "type", "veth", "peer", "name", n.nsSide);
      run("ip", "link", "set", n.nsSide, "netns", n.name);
      run("ip", "addr", "add", n.hostAddress + "/30", "dev", n.hostSide);
      run("ip", "link", "set", n.hostSide, "up");
      run("sysctl", "-q", "-w", "net.ipv4.conf." + n.hostSide + ".route_localnet=1");
      n.inside("ip", "addr", "add", n.nsAddress + "/30", "dev", n.nsSide);
      n.inside("ip", "link", "set", n.nsSide, "up");
      n.inside("sysctl", "-q", "-w", "net.ipv4.conf." + n.nsSide + ".route_localnet=1");
      n.inside("ip", "route", "add", "127.0.0.0/8", "via", n.hostAddress, "dev", n.nsSide);
      return n;
    } catch (RuntimeException e) {
      n.close();
      throw e;
    }
  }

  /** The command prefix that runs a program inside the namespace. */
  List<String> prefix() {
    return List.of("ip", "netns", "exec", name);
  }

  /** Limits what leaves the namespace over the veth to {@code rate} (tc syntax: 8mbit). */
  void throttle(String rate) {
    inside(
        "tc", "qdisc", "replace", "dev", nsSide, "root", "tbf", "rate", rate, "burst", "32kb",
        "latency", "500ms");
  }

  void unthrottle() {
    inside("tc", "qdisc", "del", "dev", nsSide, "root");
  }

  /** Takes the host's end of the veth down: every packet between the two sides is dropped. */
  void linkDown() {
    run("ip", "link", "set", hostSide, "down");
  }

  void linkUp() {
    run("ip", "link", "set", hostSide, "up");
  }

  private void inside(String... cmd) {
    List<String> all = new ArrayList<>(prefix());
    all.addAll(List.of(cmd));
    run(all.toArray(String[]::new));
  }

  private static void run(String... cmd) {
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException(String.join(" ", cmd) + " did not end within 30 s");
      }
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (p.exitValue() != 0) {
        throw new IllegalStateException(
            String.join(" ", cmd) + " exited " + p.exitValue() + ": " + out.strip());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + String.join(" ", cmd), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted running " + String.join(" ", cmd), e);
    }
  }

  @Override
  public void close() {
    try {
      run("ip", "netns", "del", name);
    } catch (RuntimeException e) {
      // the namespace may not exist yet; its veth pair goes with it when it does
      if (!String.valueOf(e.getMessage()).contains("No such file")) {
        throw e;
      }
    }
  }
}
