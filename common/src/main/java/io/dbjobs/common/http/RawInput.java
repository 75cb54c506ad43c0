package io.dbjobs.common.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * First in a connection's pipeline: tells its {@link RequestGuard} that bytes arrived (so a header
 * timeout can tell a slow request from an idle connection), and drops them before any decoding once
 * the guard is closing the connection.
 */
final class RawInput extends ChannelInboundHandlerAdapter {
  private final RequestGuard guard;

  RawInput(RequestGuard guard) {
    this.guard = guard;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof ByteBuf b && !guard.admitBytes(b.readableBytes())) {
      b.release();
      if (guard.lingerExhausted()) {
        ctx.channel().close();
      }
      return;
    }
    ctx.fireChannelRead(msg);
  }
}
