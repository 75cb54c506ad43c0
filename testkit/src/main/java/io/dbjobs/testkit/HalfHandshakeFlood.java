package io.dbjobs.testkit;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

/**
 * Many connections to one listener, each from one of a few loopback source addresses ({@code
 * 127.0.1.1} and up, all local on Linux), each sending the first bytes of a handshake and then
 * holding the connection open, sending nothing more, until closed: the pre-authentication flood of
 * issue 9, against a stream listener or any other TCP server.
 */
public final class HalfHandshakeFlood implements AutoCloseable {
  private final List<Socket> sockets = new ArrayList<>();
  private int writesFailed;

  private HalfHandshakeFlood() {}

  /**
   * Opens {@code count} connections one after the other, round-robin over {@code sources} source
   * addresses, and writes {@code prefix} on each. A connection the listener closes at once is kept
   * too (its write may fail; that is counted, not thrown).
   */
  public static HalfHandshakeFlood open(int port, int count, int sources, byte[] prefix)
      throws IOException {
    HalfHandshakeFlood f = new HalfHandshakeFlood();
    try {
      for (int i = 0; i < count; i++) {
        Socket s = new Socket();
        f.sockets.add(s);
        s.bind(new InetSocketAddress(source(i % sources), 0));
        s.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
        try {
          s.getOutputStream().write(prefix);
        } catch (IOException e) {
          // the listener refused this one at once: the write met its reset
          f.writesFailed++;
        }
      }
    } catch (IOException | RuntimeException e) {
      f.close();
      throw e;
    }
    return f;
  }

  public static String source(int i) {
    return "127.0.1." + (1 + i);
  }

  public int size() {
    return sockets.size();
  }

  public int writesFailed() {
    return writesFailed;
  }

  @Override
  public void close() {
    for (Socket s : sockets) {
      try {
        s.close();
      } catch (IOException e) {
        // closing a flood socket that is already reset: nothing left to release
      }
    }
  }
}
