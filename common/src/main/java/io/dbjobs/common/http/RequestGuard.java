package io.dbjobs.common.http;

import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.time.Durations;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * One connection of a {@link GuardedHttpServer}, on its network thread. For each request it decides
 * from the request line and headers alone, before a single body byte is used:
 *
 * <ul>
 *   <li>an open route (health) is answered at once, right here;
 *   <li>a missing or wrong token is answered 401 and the connection closed (the body, if any, is
 *       never collected: a few bytes already on the way are dropped while the answer leaves);
 *   <li>a body larger than {@code maxBody} is answered 413 and the connection closed, unread;
 *   <li>otherwise the body is collected (at most {@code maxBody} bytes, within {@code bodyTimeout})
 *       and the request handed to the worker pool; reading stops until the answer is written.
 * </ul>
 *
 * Between requests, the next request's headers must arrive within {@code headerTimeout}.
 */
final class RequestGuard extends ChannelInboundHandlerAdapter {
  /** Bytes dropped at most while a refused connection's answer leaves, before it is cut. */
  static final int LINGER_BYTES = 64 * 1024;

  /** How long at most a refused connection is kept open for its answer to be read. */
  static final Duration LINGER = Duration.ofSeconds(1);

  private enum State {
    /** Waiting for a request's line and headers. */
    IDLE,
    /** Answered a body-less request from its headers; its (empty) end is still to come. */
    DRAIN,
    /** Collecting an authenticated request's body. */
    BODY,
    /** A worker answers the request; not reading. */
    RUNNING,
    /** Answered and closing: input is dropped undecoded. */
    CLOSING
  }

  /** An authenticated request whose body is being collected. */
  private record Pending(
      HttpRouter.Route route,
      String method,
      String rawPath,
      Map<String, String> params,
      Map<String, String> query,
      HttpVersion version,
      boolean keepAlive) {}

  private final GuardedHttpServer server;
  private final ConnectionGate.Ticket ticket;
  private State state = State.IDLE;
  private ScheduledFuture<?> timer;
  private boolean bytesSinceAnswer;
  private long dropped;
  private Pending pending;
  private ByteBuf body;
  private long started;

  RequestGuard(GuardedHttpServer server, ConnectionGate.Ticket ticket) {
    this.server = server;
    this.ticket = ticket;
  }

  /** Called by {@link RawInput} for every read; false drops the bytes undecoded. */
  boolean admitBytes(int n) {
    if (state == State.CLOSING) {
      dropped += n;
      return false;
    }
    bytesSinceAnswer = true;
    return true;
  }

  /** True once a closing connection sent more than {@link #LINGER_BYTES}: cut it now. */
  boolean lingerExhausted() {
    return dropped > LINGER_BYTES;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    armHeaderTimer(ctx);
    ctx.fireChannelActive();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    state = State.CLOSING;
    cancelTimer();
    releaseBody();
    ticket.release();
    ctx.fireChannelInactive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    try {
      read(ctx, msg);
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    GuardedHttpServer.LOG.debug(
        "{}: connection from {} failed: {}", server.name(), remoteHost(ctx), cause.toString());
    ctx.channel().close();
  }

  private void read(ChannelHandlerContext ctx, Object msg) {
    if (state == State.CLOSING) {
      return;
    }
    if (msg instanceof HttpObject o && o.decoderResult().isFailure()) {
      malformed(ctx, o.decoderResult());
      return;
    }
    if (msg instanceof HttpRequest req) {
      if (state != State.IDLE) {
        closeWith(ctx, HttpErrors.error(400, ErrorCode.USAGE, "a request arrived mid-request"));
        return;
      }
      onRequest(ctx, req);
    }
    if (msg instanceof HttpContent c && state != State.CLOSING) {
      onContent(ctx, c);
    }
  }

  private void onRequest(ChannelHandlerContext ctx, HttpRequest req) {
    cancelTimer();
    started = System.nanoTime();
    String method = req.method().name();
    QueryStringDecoder uri = new QueryStringDecoder(req.uri());
    String rawPath = uri.rawPath();
    Map<String, String> query;
    try {
      query = firstValues(uri.parameters());
    } catch (IllegalArgumentException e) {
      closeWith(ctx, HttpErrors.error(400, ErrorCode.USAGE, "malformed query string"));
      return;
    }
    HttpRouter.Lookup found = server.router().lookup(method, rawPath);
    boolean keepAlive = HttpUtil.isKeepAlive(req);
    long declared = HttpUtil.getContentLength(req, -1L);
    boolean hasBody = declared > 0 || HttpUtil.isTransferEncodingChunked(req);
    HttpVersion version = req.protocolVersion();

    if (found.found() && found.route().open()) {
      HttpCall call =
          new HttpCall(method, rawPath, found.params(), query, new byte[0], remote(ctx));
      reply(ctx, server.invoke(found.route(), call), version, keepAlive && !hasBody);
      return;
    }
    BearerToken.Verdict verdict =
        server.token().check(req.headers().getAll(HttpHeaderNames.AUTHORIZATION));
    if (verdict != BearerToken.Verdict.OK) {
      server
          .refusals()
          .warn(
              server.name()
                  + " refused "
                  + method
                  + " "
                  + rawPath
                  + " from "
                  + remoteHost(ctx)
                  + ": "
                  + (verdict == BearerToken.Verdict.MISSING ? "no" : "wrong")
                  + " token");
      closeWith(ctx, server.unauthorized(verdict));
      return;
    }
    ticket.authenticated();
    if (!found.found()) {
      HttpReply r =
          found.otherMethod()
              ? HttpErrors.error(405, ErrorCode.USAGE, method + " is not allowed on " + rawPath)
              : HttpErrors.error(404, ErrorCode.NOT_FOUND, "no such API path: " + rawPath);
      reply(ctx, r, version, keepAlive && !hasBody);
      return;
    }
    String expect = req.headers().get(HttpHeaderNames.EXPECT);
    if (expect != null && !HttpUtil.is100ContinueExpected(req)) {
      closeWith(ctx, HttpErrors.error(417, ErrorCode.USAGE, "unsupported Expect: " + expect));
      return;
    }
    int maxBody = server.limits().maxBody();
    if (declared > maxBody) {
      closeWith(ctx, tooLarge(maxBody));
      return;
    }
    if (HttpUtil.is100ContinueExpected(req)) {
      ctx.writeAndFlush(
          new DefaultFullHttpResponse(
              HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE, Unpooled.EMPTY_BUFFER));
    }
    pending =
        new Pending(found.route(), method, rawPath, found.params(), query, version, keepAlive);
    body = Unpooled.buffer(declared > 0 ? (int) declared : 256);
    state = State.BODY;
    Duration t = server.limits().bodyTimeout();
    timer = ctx.executor().schedule(() -> bodyTimedOut(ctx), t.toNanos(), TimeUnit.NANOSECONDS);
  }

  private void onContent(ChannelHandlerContext ctx, HttpContent c) {
    boolean last = c instanceof LastHttpContent;
    switch (state) {
      case BODY -> {
        int maxBody = server.limits().maxBody();
        if ((long) body.readableBytes() + c.content().readableBytes() > maxBody) {
          closeWith(ctx, tooLarge(maxBody));
          return;
        }
        body.writeBytes(c.content());
        if (last) {
          run(ctx);
        }
      }
      case DRAIN -> {
        if (last) {
          state = State.IDLE;
        }
      }
      default -> {
        // nothing expected: the end of a request already answered
      }
    }
  }

  /** Hands the complete request to a worker; reading stops until its answer is written. */
  private void run(ChannelHandlerContext ctx) {
    cancelTimer();
    state = State.RUNNING;
    ctx.channel().config().setAutoRead(false);
    byte[] bytes = new byte[body.readableBytes()];
    body.readBytes(bytes);
    releaseBody();
    Pending p = pending;
    pending = null;
    HttpCall call =
        new HttpCall(p.method(), p.rawPath(), p.params(), p.query(), bytes, remote(ctx));
    try {
      server
          .workers()
          .execute(
              () -> {
                HttpReply r = server.invoke(p.route(), call);
                try {
                  ctx.executor().execute(() -> finish(ctx, r, p));
                } catch (RejectedExecutionException e) {
                  // the server is stopping: its network threads are gone, and the connection with
                  // them
                  GuardedHttpServer.LOG.debug(
                      "{}: no network thread left to answer {} {}",
                      server.name(),
                      p.method(),
                      p.rawPath());
                }
              });
    } catch (RejectedExecutionException e) {
      server
          .refusals()
          .warn(
              server.name()
                  + " is busy: answered "
                  + p.method()
                  + " "
                  + p.rawPath()
                  + " from "
                  + remoteHost(ctx)
                  + " with 503");
      finish(ctx, server.busy(), p);
    }
  }

  private void finish(ChannelHandlerContext ctx, HttpReply r, Pending p) {
    if (state != State.RUNNING) {
      return; // closed meanwhile
    }
    reply(ctx, r, p.version(), p.keepAlive());
    if (state == State.IDLE) {
      ctx.channel().config().setAutoRead(true);
    }
  }

  /** Writes {@code r}; keeps the connection for the next request, or closes it. */
  private void reply(ChannelHandlerContext ctx, HttpReply r, HttpVersion version, boolean keep) {
    if (!keep) {
      closeWith(ctx, r);
      return;
    }
    accessLog(r.status());
    ctx.writeAndFlush(response(r, version, true));
    // a request answered from its headers still has its (empty) end to come through the codec
    state = state == State.RUNNING ? State.IDLE : State.DRAIN;
    bytesSinceAnswer = false;
    armHeaderTimer(ctx);
  }

  /**
   * Answers {@code r} with {@code Connection: close}, then half-closes and drops whatever the
   * client still sends (undecoded, at most {@link #LINGER_BYTES}) for at most {@link #LINGER}, so
   * that the answer is read rather than reset; the body of a refused request is never collected.
   */
  private void closeWith(ChannelHandlerContext ctx, HttpReply r) {
    accessLog(r.status());
    state = State.CLOSING;
    ticket.closing();
    cancelTimer();
    releaseBody();
    ctx.channel().config().setAutoRead(true);
    ctx.writeAndFlush(response(r, HttpVersion.HTTP_1_1, false))
        .addListener(
            (ChannelFutureListener)
                f -> {
                  if (!f.isSuccess() || !(f.channel() instanceof SocketChannel s)) {
                    f.channel().close();
                    return;
                  }
                  s.shutdownOutput();
                  f.channel()
                      .eventLoop()
                      .schedule(
                          () -> f.channel().close(), LINGER.toMillis(), TimeUnit.MILLISECONDS);
                });
  }

  private void malformed(ChannelHandlerContext ctx, DecoderResult result) {
    Throwable cause = result.cause();
    int status;
    String what;
    if (cause instanceof TooLongHttpLineException) {
      status = 414;
      what = "the request line is too long";
    } else if (cause instanceof TooLongHttpHeaderException) {
      status = 431;
      what =
          "the request headers are larger than "
              + server.limits().maxHeaderSize()
              + " bytes (maxHeaderSize)";
    } else if (cause instanceof TooLongFrameException) {
      status = 413;
      what = "a part of the request is too large";
    } else {
      status = 400;
      what = "malformed HTTP request";
    }
    server
        .refusals()
        .warn(server.name() + " refused a request from " + remoteHost(ctx) + ": " + what);
    closeWith(ctx, HttpErrors.error(status, ErrorCode.USAGE, what));
  }

  private void armHeaderTimer(ChannelHandlerContext ctx) {
    cancelTimer();
    Duration t = server.limits().headerTimeout();
    timer = ctx.executor().schedule(() -> headerTimedOut(ctx), t.toNanos(), TimeUnit.NANOSECONDS);
  }

  private void headerTimedOut(ChannelHandlerContext ctx) {
    if (state != State.IDLE && state != State.DRAIN) {
      return;
    }
    if (!bytesSinceAnswer) {
      ctx.channel().close(); // an idle connection: nothing to tell
      return;
    }
    String t = Durations.human(server.limits().headerTimeout());
    server
        .refusals()
        .warn(
            server.name()
                + " cut a connection from "
                + remoteHost(ctx)
                + ": its request headers did not arrive within "
                + t);
    closeWith(
        ctx,
        HttpErrors.error(
            408,
            ErrorCode.TIMEOUT,
            "the request line and headers did not arrive within " + t + " (headerTimeout)"));
  }

  private void bodyTimedOut(ChannelHandlerContext ctx) {
    if (state != State.BODY) {
      return;
    }
    String t = Durations.human(server.limits().bodyTimeout());
    server
        .refusals()
        .warn(
            server.name()
                + " cut "
                + pending.method()
                + " "
                + pending.rawPath()
                + " from "
                + remoteHost(ctx)
                + ": its body did not arrive within "
                + t);
    closeWith(
        ctx,
        HttpErrors.error(
            408,
            ErrorCode.TIMEOUT,
            "the request body did not arrive within " + t + " (bodyTimeout)"));
  }

  private static HttpReply tooLarge(int maxBody) {
    return HttpErrors.error(
        413, ErrorCode.USAGE, "request body larger than " + maxBody + " bytes (maxBody)");
  }

  private static FullHttpResponse response(HttpReply r, HttpVersion version, boolean keepAlive) {
    FullHttpResponse resp =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1,
            HttpResponseStatus.valueOf(r.status()),
            Unpooled.wrappedBuffer(r.body()));
    r.headers().forEach((k, v) -> resp.headers().set(k, v));
    resp.headers().set(HttpHeaderNames.CONTENT_TYPE, r.contentType());
    HttpUtil.setContentLength(resp, r.body().length);
    HttpUtil.setKeepAlive(resp.headers(), version, keepAlive);
    return resp;
  }

  private void accessLog(int status) {
    if (GuardedHttpServer.LOG.isDebugEnabled() && started != 0) {
      GuardedHttpServer.LOG.debug(
          "{}: answered {} after {} ms",
          server.name(),
          status,
          (System.nanoTime() - started) / 1_000_000);
    }
  }

  private void cancelTimer() {
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }

  private void releaseBody() {
    if (body != null) {
      body.release();
      body = null;
    }
  }

  private static Map<String, String> firstValues(Map<String, List<String>> params) {
    Map<String, String> q = new HashMap<>();
    params.forEach((k, v) -> q.put(k, v.isEmpty() ? "" : v.get(0)));
    return q;
  }

  private static InetSocketAddress remote(ChannelHandlerContext ctx) {
    return (InetSocketAddress) ctx.channel().remoteAddress();
  }

  private static String remoteHost(ChannelHandlerContext ctx) {
    InetSocketAddress a = remote(ctx);
    return a == null ? "?" : a.getAddress().getHostAddress();
  }
}
