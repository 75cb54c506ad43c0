package io.dbjobs.common.stream;

/**
 * The frame types of wire protocol v1, with their one-byte codes, the largest payload each may
 * carry, and the largest a listener takes before authentication. See {@code
 * docs/stream-protocol.md} for who sends which frame when.
 */
enum FrameType {
  /** Sender to listener, first frame: magic, version, stream id, client nonce, compression. */
  HELLO(0x01, StreamProtocol.MAX_HELLO_PAYLOAD, StreamProtocol.MAX_HELLO_PAYLOAD),
  /** Listener to sender: server nonce and the listener's proof. */
  CHALLENGE(0x02, StreamProtocol.NONCE_BYTES + StreamProtocol.MAC_BYTES),
  /** Sender to listener: the sender's proof. */
  PROOF(0x03, StreamProtocol.MAC_BYTES, StreamProtocol.MAC_BYTES),
  /** Listener to sender: authenticated, sink open, send data. Empty payload. */
  ACCEPT(0x04, 0),
  /** Sender to listener: a chunk of the (possibly compressed) byte stream. */
  DATA(0x10, StreamProtocol.MAX_DATA_PAYLOAD),
  /** Sender to listener: byte count, SHA-256, metadata and MAC; the last frame of a stream. */
  TRAILER(0x11, StreamProtocol.MAX_CONTROL_PAYLOAD),
  /** Sender to listener: the source failed; discard everything. */
  ABORT(0x12, StreamProtocol.MAX_CONTROL_PAYLOAD),
  /** Listener to sender: the sink finished; the stream is stored. */
  ACK(0x20, StreamProtocol.MAX_CONTROL_PAYLOAD),
  /** Listener to sender: the stream arrived whole but was rejected (digest, sink finish). */
  NACK(0x21, StreamProtocol.MAX_CONTROL_PAYLOAD),
  /** Either direction: the connection is refused or failed; the sender of ERROR closes. */
  ERROR(0x22, StreamProtocol.MAX_CONTROL_PAYLOAD, StreamProtocol.MAX_PRE_AUTH_ERROR_PAYLOAD),
  /** Listener to sender while its sink finishes: still alive. Empty payload. */
  KEEPALIVE(0x30, 0);

  private static final FrameType[] BY_CODE = new FrameType[256];

  static {
    for (FrameType t : values()) {
      BY_CODE[t.code] = t;
    }
  }

  /** Marks a frame a listener does not take before the sender authenticated. */
  static final int NOT_BEFORE_AUTH = -1;

  private final int code;
  private final int maxPayload;
  private final int preAuthMaxPayload;

  FrameType(int code, int maxPayload) {
    this(code, maxPayload, NOT_BEFORE_AUTH);
  }

  FrameType(int code, int maxPayload, int preAuthMaxPayload) {
    this.code = code;
    this.maxPayload = maxPayload;
    this.preAuthMaxPayload = preAuthMaxPayload;
  }

  int code() {
    return code;
  }

  int maxPayload() {
    return maxPayload;
  }

  /**
   * The largest payload a listener takes in this frame before the sender authenticated, or {@link
   * #NOT_BEFORE_AUTH}: only HELLO, PROOF and ERROR, at the sizes the handshake needs.
   */
  int preAuthMaxPayload() {
    return preAuthMaxPayload;
  }

  /** The type with this code, or null. */
  static FrameType of(int code) {
    return BY_CODE[code & 0xff];
  }
}
