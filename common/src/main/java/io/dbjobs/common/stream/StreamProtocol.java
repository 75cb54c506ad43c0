package io.dbjobs.common.stream;

/**
 * Constants of wire protocol v1. The full specification is {@code docs/stream-protocol.md}; this
 * class holds the numbers an implementation must agree on.
 */
public final class StreamProtocol {
  /** First four bytes of a HELLO payload: ASCII {@code DBJS}. */
  public static final int MAGIC = 0x44424a53;

  /** The protocol version this code speaks. */
  public static final int VERSION = 1;

  /** The port joiners listen on unless configured otherwise. */
  public static final int DEFAULT_PORT = 4444;

  /** Bytes of a frame header: one type byte and a four-byte big-endian payload length. */
  public static final int HEADER_BYTES = 5;

  /** Largest DATA payload a receiver accepts (1 MiB); a larger frame closes the connection. */
  public static final int MAX_DATA_PAYLOAD = 1 << 20;

  /** Largest payload of any other frame (64 KiB). */
  public static final int MAX_CONTROL_PAYLOAD = 64 << 10;

  /** Bytes of the client and server nonces. */
  public static final int NONCE_BYTES = 32;

  /** Bytes of an HMAC-SHA256 proof or MAC. */
  public static final int MAC_BYTES = 32;

  /** Longest stream id, in bytes; ids use only {@code [A-Za-z0-9._:@/-]}. */
  public static final int MAX_STREAM_ID_BYTES = 128;

  /**
   * Largest HELLO payload: exactly what its fields need with the longest stream id (magic 4,
   * version 1, id length 2, id 128, client nonce 32, compression 1, size hint 8 = 176 bytes). A
   * listener refuses a longer HELLO from its header alone.
   */
  public static final int MAX_HELLO_PAYLOAD = 4 + 1 + 2 + MAX_STREAM_ID_BYTES + NONCE_BYTES + 1 + 8;

  /**
   * Largest ERROR payload a listener takes before the sender authenticated (1 KiB): a sender's
   * refusal during the handshake is a code and one sentence.
   */
  public static final int MAX_PRE_AUTH_ERROR_PAYLOAD = 1024;

  private StreamProtocol() {}

  /**
   * Checks a stream id: 1 to 128 characters from {@code [A-Za-z0-9._:@/-]}, so it is safe to print
   * in logs and messages.
   *
   * @return whether {@code id} is a valid stream id
   */
  public static boolean isValidStreamId(String id) {
    if (id == null || id.isEmpty() || id.length() > MAX_STREAM_ID_BYTES) {
      return false;
    }
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      boolean ok =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || c == '.'
              || c == '_'
              || c == ':'
              || c == '@'
              || c == '/'
              || c == '-';
      if (!ok) {
        return false;
      }
    }
    return true;
  }
}
