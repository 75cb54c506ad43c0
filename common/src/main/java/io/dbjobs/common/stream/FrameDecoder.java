package io.dbjobs.common.stream;

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
 * <p>A DATA payload is a retained slice of the received bytes, handed on without copying.
 */
final class FrameDecoder extends ByteToMessageDecoder {
  private boolean dataAllowed;
  private boolean failed;

  /** Starts accepting DATA frames (the listener calls this once the sender is authenticated). */
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
    if (type == FrameType.DATA && !dataAllowed) {
      throw fail(in, "DATA frame before the stream was accepted");
    }
    if (in.readableBytes() < StreamProtocol.HEADER_BYTES) {
      return;
    }
    long length = in.getUnsignedInt(start + 1);
    if (length > type.maxPayload()) {
      throw fail(
          in,
          type
              + " frame of "
              + length
              + " bytes exceeds the maximum of "
              + type.maxPayload()
              + " bytes");
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

  private io.dbjobs.common.DbJobsException fail(ByteBuf in, String message) {
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
