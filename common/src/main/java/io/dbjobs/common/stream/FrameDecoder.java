package io.dbjobs.common.stream;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.stream.WireMessage.Data;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Splits the byte stream into frames ({@code [type:1][length:4][payload]}) and decodes them into
 * {@link WireMessage}s. An unknown type, an oversized frame, a DATA frame before data is allowed,
 * or a malformed payload raises STREAM_PROTOCOL; after that every further byte is discarded, since
 * the connection is closing.
 *
 * <p>A listener's decoder ({@link #forListener()}) is stricter until the sender authenticated: it
 * takes only HELLO, PROOF and ERROR, each at the size the handshake needs ({@link
 * FrameType#preAuthMaxPayload()}), so an unauthenticated peer can make it buffer at most one 1 KiB
 * frame. Sizes are checked on the 5-byte header, before the payload is buffered.
 *
 * <p>A DATA payload is a retained slice of the received bytes, handed on without copying.
 */
final class FrameDecoder extends ByteToMessageDecoder {
  private final boolean listener;
  private boolean dataAllowed;
  private boolean failed;

  /** A decoder that takes every frame type at its full size, DATA only once allowed (sender). */
  FrameDecoder() {
    this(false);
  }

  private FrameDecoder(boolean listener) {
    this.listener = listener;
  }

  /**
   * A listener's decoder: only the handshake frames, at their real sizes, until data is allowed.
   */
  static FrameDecoder forListener() {
    return new FrameDecoder(true);
  }

  /**
   * Starts accepting DATA frames, and on a listener every other frame at its full size (the
   * listener calls this once the sender is authenticated and its sink is open).
   */
  void allowData() {
    dataAllowed = true;
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    if (failed) {
      in.skipBytes(in.readableBytes());
      return;
    }
    if (!in.isReadable()) {
      return;
    }
    int start = in.readerIndex();
    int code = in.getUnsignedByte(start);
    FrameType type = FrameType.of(code);
    if (type == null) {
      throw fail(in, unknownType(code, in));
    }
    int max = maxPayload(type, in);
    if (in.readableBytes() < StreamProtocol.HEADER_BYTES) {
      return;
    }
    long length = in.getUnsignedInt(start + 1);
    if (length > max) {
      throw fail(
          in,
          type
              + " frame of "
              + length
              + " bytes exceeds the maximum of "
              + max
              + " bytes"
              + (max < type.maxPayload() ? " before authentication" : ""));
    }
    if (type == FrameType.DATA && length == 0) {
      throw fail(in, "empty DATA frame");
    }
    if (in.readableBytes() < StreamProtocol.HEADER_BYTES + length) {
      return;
    }
    in.skipBytes(StreamProtocol.HEADER_BYTES);
    if (type == FrameType.DATA) {
      out.add(new Data(in.readRetainedSlice((int) length)));
      return;
    }
    ByteBuf payload = in.readSlice((int) length);
    try {
      out.add(WireCodec.decode(type, payload));
    } catch (RuntimeException e) {
      failed = true;
      in.skipBytes(in.readableBytes());
      throw e;
    }
  }

  /** The largest payload {@code type} may have now; throws when it may not come at all. */
  private int maxPayload(FrameType type, ByteBuf in) {
    if (dataAllowed) {
      return type.maxPayload();
    }
    if (type == FrameType.DATA) {
      throw fail(in, "DATA frame before the stream was accepted");
    }
    if (!listener) {
      return type.maxPayload();
    }
    int max = type.preAuthMaxPayload();
    if (max == FrameType.NOT_BEFORE_AUTH) {
      throw fail(
          in,
          type
              + " frame before the stream was accepted (before authentication a listener takes"
              + " only HELLO, PROOF and ERROR)");
    }
    return max;
  }

  private DbJobsException fail(ByteBuf in, String message) {
    failed = true;
    in.skipBytes(in.readableBytes());
    return WireCodec.protocol(message);
  }

  private static String unknownType(int code, ByteBuf in) {
    String hex = String.format("0x%02x", code);
    if (code == 0x16 || code == 0x15 || code == 0x17) {
      return "unknown frame type "
          + hex
          + ": the peer speaks TLS and this side does not (enable TLS on both ends or neither)";
    }
    int n = Math.min(in.readableBytes(), 8);
    byte[] head = new byte[n];
    in.getBytes(in.readerIndex(), head);
    String text = new String(head, StandardCharsets.US_ASCII);
    if (text.startsWith("GET ") || text.startsWith("POST") || text.startsWith("HEAD")) {
      return "unknown frame type " + hex + ": the peer speaks HTTP, not the dbjobs stream protocol";
    }
    return "unknown frame type " + hex + ": not a dbjobs stream peer";
  }
}
