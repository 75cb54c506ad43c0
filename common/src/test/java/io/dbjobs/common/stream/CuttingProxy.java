package io.dbjobs.common.stream;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP proxy for one connection that forwards both ways and cuts both sides (as a dying network or
 * sender host would) once {@code cutAfter} bytes went from client to server.
 */
final class CuttingProxy implements AutoCloseable {
  private final ServerSocket server;
  private final int targetPort;
  private final long cutAfter;
  private final AtomicLong upstream = new AtomicLong();
  final CompletableFuture<Long> cut = new CompletableFuture<>();
  private volatile Socket client;
  private volatile Socket target;

  CuttingProxy(int targetPort, long cutAfter) throws IOException {
    this.server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
    this.targetPort = targetPort;
    this.cutAfter = cutAfter;
    Thread t = new Thread(this::run, "cutting-proxy");
    t.setDaemon(true);
    t.start();
  }

  int port() {
    return server.getLocalPort();
  }

  private void run() {
    try {
      client = server.accept();
      target = new Socket(InetAddress.getLoopbackAddress(), targetPort);
      Thread down = new Thread(() -> pump(target, client, false), "cutting-proxy-down");
      down.setDaemon(true);
      down.start();
      pump(client, target, true);
    } catch (IOException e) {
      cut.completeExceptionally(e);
    }
  }

  private void pump(Socket from, Socket to, boolean counting) {
    byte[] buf = new byte[16 << 10];
    try (InputStream in = from.getInputStream();
        OutputStream out = to.getOutputStream()) {
      int n;
      while ((n = in.read(buf)) > 0) {
        if (counting && upstream.get() + n >= cutAfter) {
          int part = (int) (cutAfter - upstream.get());
          out.write(buf, 0, Math.max(0, part));
          out.flush();
          upstream.addAndGet(part);
          cutBoth();
          return;
        }
        out.write(buf, 0, n);
        if (counting) {
          upstream.addAndGet(n);
        }
      }
    } catch (IOException e) {
      // one side went away: the other one is closed below
    }
    cutBoth();
  }

  private void cutBoth() {
    cut.complete(upstream.get());
    closeQuietly(client);
    closeQuietly(target);
  }

  private static void closeQuietly(Socket s) {
    if (s == null) {
      return;
    }
    try {
      s.close();
    } catch (IOException e) {
      // already closed
    }
  }

  @Override
  public void close() throws IOException {
    cutBoth();
    server.close();
  }
}
