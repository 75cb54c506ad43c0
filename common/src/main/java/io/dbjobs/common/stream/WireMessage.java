package io.dbjobs.common.stream;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.DefaultByteBufHolder;
import java.util.Map;

/** One decoded frame of wire protocol v1. Only {@link Data} holds a reference-counted buffer. */
sealed interface WireMessage {
  FrameType type();

  /**
   * First frame of a connection, sender to listener.
   *
   * @param sizeHint uncompressed bytes the sender expects to send, or -1 when unknown
   */
  record Hello(
      int version, String streamId, byte[] clientNonce, Compression compression, long sizeHint)
      implements WireMessage {
    @Override
    public FrameType type() {
      return FrameType.HELLO;
    }
  }

  /** The listener's answer to HELLO: its nonce and its proof that it knows the secret. */
  record Challenge(byte[] serverNonce, byte[] listenerProof) implements WireMessage {
    @Override
    public FrameType type() {
      return FrameType.CHALLENGE;
    }
  }

  /** The sender's proof that it knows the secret. */
  record Proof(byte[] senderProof) implements WireMessage {
    @Override
    public FrameType type() {
      return FrameType.PROOF;
    }
  }

  /** The listener authenticated the sender and opened its sink: data may flow. */
  record Accept() implements WireMessage {
    @Override
    public FrameType type() {
      return FrameType.ACCEPT;
    }
  }

  /** A chunk of the (possibly compressed) stream. Owns its buffer: release it or pass it on. */
  final class Data extends DefaultByteBufHolder implements WireMessage {
    Data(ByteBuf content) {
      super(content);
    }

    @Override
    public FrameType type() {
      return FrameType.DATA;
    }

    @Override
    public Data replace(ByteBuf content) {
      return new Data(content);
    }
  }

  /**
   * End of the stream.
   *
   * @param bytes uncompressed bytes sent
   * @param sha256 SHA-256 of those bytes (32 bytes)
   * @param metaJson the metadata exactly as sent (a JSON object of strings, UTF-8); the MAC covers
   *     these bytes
   * @param meta {@code metaJson} parsed
   * @param mac HMAC-SHA256 over the trailer, see {@link SessionKeys#trailerMac}
   */
  record Trailer(long bytes, byte[] sha256, byte[] metaJson, Map<String, String> meta, byte[] mac)
      implements WireMessage {
    @Override
    public FrameType type() {
      return FrameType.TRAILER;
    }
  }

  /** The sender's source failed: the receiver must discard what it got. */
  record Abort(String code, String reason) implements WireMessage {
    @Override
    public FrameType type() {
      return FrameType.ABORT;
    }
  }

  /** The receiver's sink finished; {@code message} comes from the sink (e.g. a catalog id). */
  record Ack(byte[] mac, String message) implements WireMessage {
    @Override
    public FrameType type() {
      return FrameType.ACK;
    }
  }

  /** The stream arrived but was rejected: digest mismatch or the sink failed to finish. */
  record Nack(String code, String message) implements WireMessage {
    @Override
    public FrameType type() {
      return FrameType.NACK;
    }
  }

  /** The connection is refused or failed; the side that sends it closes the connection. */
  record Refusal(String code, String message) implements WireMessage {
    @Override
    public FrameType type() {
      return FrameType.ERROR;
    }
  }

  /** Liveness while the receiver's sink finishes. */
  record Keepalive() implements WireMessage {
    @Override
    public FrameType type() {
      return FrameType.KEEPALIVE;
    }
  }
}
