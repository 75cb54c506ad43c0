package io.dbjobs.common.stream;

import io.dbjobs.common.stream.WireMessage.Data;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageEncoder;
import java.util.List;

/** Writes {@link WireMessage}s as frames; a DATA payload goes out as is, after its header. */
@ChannelHandler.Sharable
final class FrameEncoder extends MessageToMessageEncoder<WireMessage> {
  static final FrameEncoder INSTANCE = new FrameEncoder();

  private FrameEncoder() {
    super(WireMessage.class);
  }

  @Override
  protected void encode(ChannelHandlerContext ctx, WireMessage msg, List<Object> out) {
    if (msg instanceof Data d) {
      ByteBuf payload = d.content();
      out.add(WireCodec.dataHeader(ctx.alloc(), payload.readableBytes()));
      out.add(payload.retain());
    } else {
      out.add(WireCodec.encodeFrame(ctx.alloc(), msg));
    }
  }
}
