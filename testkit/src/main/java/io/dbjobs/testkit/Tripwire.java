package io.dbjobs.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A loopback TCP listener that records every connection it gets and closes it: the receiver an
 * attacker's job row names, which nothing may ever connect to. A test points a forged or altered
 * row at {@link #port()} and asserts {@link #connections()} stays empty.
 */
public final class Tripwire implements AutoCloseable {
  private final ServerSocket server;
  private final List<String> connections = new CopyOnWriteArrayList<>();
  private final Thread acceptor;

  private Tripwire(ServerSocket server) {
    this.server = server;
    this.acceptor = new Thread(this::accept, "tripwire-" + server.getLocalPort());
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** Listens on a free port of 127.0.0.1. */
  public static Tripwire open() {
    try {
      return new Tripwire(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open a tripwire listener", e);
    }
  }

  public int port() {
    return server.getLocalPort();
  }

  /** Every connection so far, as the peer's address and port. */
  public List<String> connections() {
    return List.copyOf(connections);
  }

  private void accept() {
    while (!server.isClosed()) {
      try (Socket s = server.accept()) {
        connections.add(s.getRemoteSocketAddress().toString());
      } catch (SocketException e) {
        return; // closed
      } catch (IOException e) {
        connections.add("a connection that failed: " + e);
      }
    }
  }

  @Override
  public void close() {
    try {
      server.close();
      acceptor.join(5000);
    } catch (IOException e) {
      throw new UncheckedIOException("closing the tripwire listener", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
