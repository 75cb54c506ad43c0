package io.dbjobs.testkit;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;

/**
 * The first frames of the dbjobs stream protocol written by hand from docs/stream-protocol.md (§1
 * frames, §2.1 HELLO), for tests that talk to a real stream listener the way an attacker would: a
 * HELLO, half of one, and whether a listener answers a HELLO with its CHALLENGE. (The testkit is
 * below common: it cannot use the codec, and a test that agrees with the spec rather than with the
 * code is the point.)
 */
public final class RawStream {
  private static final int MAGIC = 0x44424a53;
  private static final byte HELLO = 0x01;
  private static final byte CHALLENGE = 0x02;
  private static final SecureRandom RANDOM = new SecureRandom();

  private RawStream() {}

  /** A whole HELLO frame for {@code streamId}: version 1, a fresh nonce, no compression. */
  public static byte[] hello(String streamId) {
    byte[] id = streamId.getBytes(StandardCharsets.US_ASCII);
    byte[] nonce = new byte[32];
    RANDOM.nextBytes(nonce);
    ByteBuffer payload = ByteBuffer.allocate(4 + 1 + 2 + id.length + 32 + 1 + 8);
    payload.putInt(MAGIC).put((byte) 1).putShort((short) id.length).put(id).put(nonce);
    payload.put((byte) 0).putLong(-1);
    ByteArrayOutputStream frame = new ByteArrayOutputStream();
    frame.write(HELLO);
    frame.writeBytes(ByteBuffer.allocate(4).putInt(payload.capacity()).array());
    frame.writeBytes(payload.array());
    return frame.toByteArray();
  }

  /** The first half of {@link #hello}: a handshake started and never finished. */
  public static byte[] halfHello(String streamId) {
    byte[] h = hello(streamId);
    return Arrays.copyOf(h, h.length / 2);
  }

  /**
   * Connects to {@code host:port}, sends a HELLO for {@code streamId} and says whether a CHALLENGE
   * frame came back within {@code within} (the listener took the connection and knows the stream);
   * false when the listener closed the connection, answered otherwise, or stayed silent. Closes the
   * connection without a proof: the listener keeps waiting for its real sender.
   */
  public static boolean answersWithChallenge(
      String host, int port, String streamId, Duration within) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(host, port), (int) within.toMillis());
      s.setSoTimeout((int) within.toMillis());
      s.getOutputStream().write(hello(streamId));
      s.getOutputStream().flush();
      DataInputStream in = new DataInputStream(s.getInputStream());
      byte type = in.readByte();
      int length = in.readInt();
      return type == CHALLENGE && length == 64;
    } catch (EOFException | SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      if (e.getMessage() != null && e.getMessage().contains("reset")) {
        return false;
      }
      throw new UncheckedIOException("probing the stream listener " + host + ":" + port, e);
    }
  }
}
