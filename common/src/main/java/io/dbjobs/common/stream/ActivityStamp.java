package io.dbjobs.common.stream;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * First handler of a connection: notes when bytes last arrived and how many, before TLS and
 * framing, so idle timeouts count raw bytes and a slow frame still counts as activity.
 */
final class ActivityStamp extends ChannelInboundHandlerAdapter {
  private volatile long lastReadNanos = System.nanoTime();
  private long bytesRead;

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    lastReadNanos = System.nanoTime();
    if (msg instanceof ByteBuf b) {
      bytesRead += b.readableBytes();
    }
    ctx.fireChannelRead(msg);
  }

  long lastReadNanos() {
    return lastReadNanos;
  }

  /** Restarts the idle clock (after the receiver paused reading on purpose). */
  void touch() {
    lastReadNanos = System.nanoTime();
  }

  /** Raw bytes read so far; event-loop thread only. */
  long bytesRead() {
    return bytesRead;
  }
}
