package io.dbjobs.common.stream;

import io.dbjobs.common.stream.WireMessage.Keepalive;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * The sender's network-thread side: turns what happens on the channel into events for the blocking
 * {@link SendSession}. KEEPALIVEs only move {@link #lastHeardNanos()}.
 */
final class SenderHandler extends ChannelInboundHandlerAdapter {
  /** The channel became writable again. */
  static final Object WRITABLE = new Object();

  /** The channel closed. */
  static final Object CLOSED = new Object();

  /** An exception on the channel. */
  record Failed(Throwable cause) {}

  private static final int MAX_QUEUED_EVENTS = 1024;

  private final BlockingQueue<Object> events = new LinkedBlockingQueue<>();
  private volatile long lastHeardNanos = System.nanoTime();

  BlockingQueue<Object> events() {
    return events;
  }

  long lastHeardNanos() {
    return lastHeardNanos;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    lastHeardNanos = System.nanoTime();
    if (msg instanceof Keepalive) {
      return;
    }
    if (!(msg instanceof WireMessage)) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (events.size() >= MAX_QUEUED_EVENTS) {
      events.add(
          new Failed(WireCodec.protocol("the listener floods this sender with control frames")));
      ctx.close();
      return;
    }
    events.add(msg);
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (ctx.channel().isWritable()) {
      events.add(WRITABLE);
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    events.add(CLOSED);
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    events.add(new Failed(cause));
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof SslHandshakeCompletionEvent hs && !hs.isSuccess()) {
      events.add(new Failed(hs.cause()));
    }
    ctx.fireUserEventTriggered(evt);
  }
}
