package io.dbjobs.testkit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One HTTP/1.1 connection on a plain socket, for tests that must control every byte: send half a
 * request, trickle headers, hold a body open, connect from another loopback address (127.0.0.2...),
 * and see exactly when the server answers or closes. Every read has a deadline.
 */
public final class RawHttp implements AutoCloseable {
  /** A response: status, headers (lower-case names) and body. */
  public record Response(int status, Map<String, String> headers, String body) {
    public String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }
  }

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;

  private RawHttp(Socket socket) throws IOException {
    this.socket = socket;
    this.in = socket.getInputStream();
    this.out = socket.getOutputStream();
  }

  /** Connects to {@code host:port} from the default local address. */
  public static RawHttp connect(String host, int port) {
    return connectFrom(null, host, port);
  }

  /** Connects to {@code host:port} from {@code localAddress} (e.g. 127.0.0.3), null for any. */
  public static RawHttp connectFrom(String localAddress, String host, int port) {
    Socket s = new Socket();
    try {
      if (localAddress != null) {
        s.bind(new InetSocketAddress(localAddress, 0));
      }
      s.connect(new InetSocketAddress(host, port), 5000);
      return new RawHttp(s);
    } catch (IOException e) {
      closeQuietly(s);
      throw new UncheckedIOException("cannot connect to " + host + ":" + port, e);
    }
  }

  /**
   * The head of a request (line, {@code Host}, optional bearer token, the given extra header lines,
   * and {@code Content-Length} when {@code contentLength >= 0}), ending with the blank line.
   */
  public static String head(
      String method, String path, String token, long contentLength, String... extraHeaders) {
    StringBuilder sb = new StringBuilder();
    sb.append(method).append(' ').append(path).append(" HTTP/1.1\r\n");
    sb.append("Host: 127.0.0.1\r\n");
    if (token != null) {
      sb.append("Authorization: Bearer ").append(token).append("\r\n");
    }
    if (contentLength >= 0) {
      sb.append("Content-Length: ").append(contentLength).append("\r\n");
    }
    for (String h : extraHeaders) {
      sb.append(h).append("\r\n");
    }
    return sb.append("\r\n").toString();
  }

  /** A whole request with a JSON body (or none when {@code body} is null), closing afterwards. */
  public static String request(String method, String path, String token, String body) {
    byte[] b = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
    return head(
            method,
            path,
            token,
            body == null ? -1 : b.length,
            "Connection: close",
            "Content-Type: application/json")
        + (body == null ? "" : body);
  }

  /** Writes {@code text} (UTF-8) and flushes. */
  public RawHttp send(String text) {
    return send(text.getBytes(StandardCharsets.UTF_8));
  }

  /** Writes {@code bytes} and flushes. */
  public RawHttp send(byte[] bytes) {
    try {
      out.write(bytes);
      out.flush();
      return this;
    } catch (IOException e) {
      throw new UncheckedIOException("the server no longer takes bytes", e);
    }
  }

  /** Writes {@code bytes} unless the server closed the connection; false when it did. */
  public boolean trySend(byte[] bytes) {
    try {
      out.write(bytes);
      out.flush();
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * Reads one response (its body by {@code Content-Length}); fails when none is complete within
   * {@code timeout} or the connection ends first.
   */
  public Response read(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    try {
      String statusLine = line(deadline);
      String[] parts = statusLine.split(" ", 3);
      if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
        throw new AssertionError("not an HTTP response: " + statusLine);
      }
      int status = Integer.parseInt(parts[1]);
      Map<String, String> headers = new LinkedHashMap<>();
      for (String h = line(deadline); !h.isEmpty(); h = line(deadline)) {
        int colon = h.indexOf(':');
        headers.put(
            h.substring(0, colon).trim().toLowerCase(Locale.ROOT), h.substring(colon + 1).trim());
      }
      int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
      byte[] body = new byte[length];
      for (int off = 0; off < length; ) {
        int n = readSome(body, off, length - off, deadline);
        if (n < 0) {
          throw new AssertionError("the connection ended inside a response body");
        }
        off += n;
      }
      return new Response(status, headers, new String(body, StandardCharsets.UTF_8));
    } catch (SocketTimeoutException e) {
      throw new AssertionError("no complete response within " + timeout.toMillis() + " ms", e);
    } catch (IOException e) {
      throw new UncheckedIOException("reading a response", e);
    }
  }

  /**
   * Waits until the server ends the connection (end of stream or reset), dropping whatever it still
   * sends; true when it did within {@code timeout}, false when the connection is still open then.
   */
  public boolean closedByServerWithin(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    byte[] sink = new byte[4096];
    try {
      while (true) {
        if (readSome(sink, 0, sink.length, deadline) < 0) {
          return true;
        }
      }
    } catch (SocketTimeoutException e) {
      return false;
    } catch (SocketException e) {
      return true; // reset by the server
    } catch (IOException e) {
      throw new UncheckedIOException("reading from the server", e);
    }
  }

  /**
   * Reads until the server ends the connection and returns what it sent meanwhile (ISO-8859-1);
   * fails when the connection is still open after {@code timeout}. A reset counts as the end.
   */
  public String untilClosed(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    byte[] buf = new byte[4096];
    try {
      for (int n = readSome(buf, 0, buf.length, deadline);
          n >= 0;
          n = readSome(buf, 0, buf.length, deadline)) {
        got.write(buf, 0, n);
      }
    } catch (SocketTimeoutException e) {
      throw new AssertionError(
          "the server kept the connection open for "
              + timeout.toMillis()
              + " ms; it sent: "
              + got.toString(StandardCharsets.ISO_8859_1),
          e);
    } catch (SocketException e) {
      // reset by the server: the end too
    } catch (IOException e) {
      throw new UncheckedIOException("reading from the server", e);
    }
    return got.toString(StandardCharsets.ISO_8859_1);
  }

  private String line(long deadline) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    byte[] one = new byte[1];
    while (true) {
      if (readSome(one, 0, 1, deadline) < 0) {
        throw new AssertionError(
            "the server closed the connection"
                + (b.size() == 0
                    ? ""
                    : " after '" + b.toString(StandardCharsets.ISO_8859_1) + "'"));
      }
      if (one[0] == '\n') {
        String s = b.toString(StandardCharsets.ISO_8859_1);
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
      }
      b.write(one[0]);
    }
  }

  private int readSome(byte[] buf, int off, int len, long deadline) throws IOException {
    long left = (deadline - System.nanoTime()) / 1_000_000;
    if (left <= 0) {
      throw new SocketTimeoutException("deadline passed");
    }
    socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, left));
    return in.read(buf, off, len);
  }

  @Override
  public void close() {
    closeQuietly(socket);
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException e) {
      // closing a test's socket: nothing left to do with it
    }
  }
}
