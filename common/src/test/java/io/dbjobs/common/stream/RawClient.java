package io.dbjobs.common.stream;

import io.dbjobs.common.stream.WireMessage.Accept;
import io.dbjobs.common.stream.WireMessage.Challenge;
import io.dbjobs.common.stream.WireMessage.Hello;
import io.dbjobs.common.stream.WireMessage.Proof;
import io.dbjobs.common.stream.WireMessage.Trailer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;

/**
 * A blocking, hand-driven stream client built from the codec, for tests that must misbehave:
 * garbage, wrong proofs, silence, corrupted DATA, a cut in the middle.
 */
final class RawClient implements AutoCloseable {
  final Socket socket;
  private final DataInputStream in;
  private final OutputStream out;
  private Hello hello;
  private SessionKeys keys;

  RawClient(int port) throws IOException {
    socket = new Socket("127.0.0.1", port);
    socket.setSoTimeout(10_000);
    in = new DataInputStream(socket.getInputStream());
    out = socket.getOutputStream();
  }

  void sendRaw(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
  }

  void send(WireMessage m) throws IOException {
    ByteBuf b = WireCodec.encodeFrame(Unpooled.buffer().alloc(), m);
    try {
      byte[] bytes = new byte[b.readableBytes()];
      b.readBytes(bytes);
      sendRaw(bytes);
    } finally {
      b.release();
    }
  }

  void sendData(byte[] payload) throws IOException {
    byte[] frame = new byte[5 + payload.length];
    frame[0] = 0x10;
    frame[1] = (byte) (payload.length >>> 24);
    frame[2] = (byte) (payload.length >>> 16);
    frame[3] = (byte) (payload.length >>> 8);
    frame[4] = (byte) payload.length;
    System.arraycopy(payload, 0, frame, 5, payload.length);
    sendRaw(frame);
  }

  Hello hello(String streamId) throws IOException {
    hello = new Hello(StreamProtocol.VERSION, streamId, SessionKeys.nonce(), Compression.NONE, -1);
    send(hello);
    return hello;
  }

  /** Sends HELLO, reads CHALLENGE. */
  Challenge helloAndChallenge(String streamId) throws IOException {
    hello(streamId);
    WireMessage m = read();
    if (!(m instanceof Challenge c)) {
      throw new IOException("expected CHALLENGE, got " + m);
    }
    return c;
  }

  /** A proper handshake up to ACCEPT, with {@code secretHex}. */
  void authenticate(String streamId, String secretHex) throws IOException {
    Challenge c = helloAndChallenge(streamId);
    keys = new SessionKeys(StreamSecret.keyBytes(secretHex, streamId), hello, c.serverNonce());
    send(new Proof(keys.senderProof()));
    WireMessage m = read();
    if (!(m instanceof Accept)) {
      throw new IOException("expected ACCEPT, got " + m);
    }
  }

  /** A valid trailer (MAC included) claiming {@code bytes} with {@code sha256}. */
  void sendTrailer(long bytes, byte[] sha256, Map<String, String> meta) throws IOException {
    byte[] json = WireCodec.metaJson(meta);
    send(new Trailer(bytes, sha256, json, meta, keys.trailerMac(bytes, sha256, json)));
  }

  static byte[] sha256(byte[] data) {
    MessageDigest d = SessionKeys.newSha256();
    return d.digest(data);
  }

  static String hex(byte[] b) {
    return HexFormat.of().formatHex(b);
  }

  /** The next frame, or null at end of stream. */
  WireMessage read() throws IOException {
    int type;
    try {
      type = in.read();
    } catch (SocketException e) {
      return null;
    }
    if (type < 0) {
      return null;
    }
    int len = in.readInt();
    byte[] payload = new byte[len];
    in.readFully(payload);
    FrameType t = FrameType.of(type);
    if (t == null || t == FrameType.DATA) {
      throw new IOException("unexpected frame type " + type);
    }
    return WireCodec.decode(t, Unpooled.wrappedBuffer(payload));
  }

  /**
   * Reads until the listener closes the connection and returns the last ERROR/NACK seen (or null);
   * fails when the connection stays open longer than {@code timeout}.
   */
  WireMessage readUntilClosed(Duration timeout) throws IOException {
    socket.setSoTimeout((int) timeout.toMillis());
    WireMessage last = null;
    try {
      while (true) {
        WireMessage m = read();
        if (m == null) {
          return last;
        }
        last = m;
      }
    } catch (EOFException e) {
      return last;
    } catch (SocketTimeoutException e) {
      throw new AssertionError("listener did not close the connection within " + timeout, e);
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
