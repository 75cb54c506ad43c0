package io.dbjobs.common.http;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.config.Secret;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.flow.FlowControlHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small HTTP/1.1 server on Netty's codec for dbjobs' two HTTP endpoints (the daemon's API, each
 * agent's endpoint), built so that nobody without the token can tie it up:
 *
 * <ul>
 *   <li>the bearer token is checked from the headers, in constant time, before any body byte is
 *       used; a missing or wrong one is answered 401 at once and the connection closed;
 *   <li>request headers must arrive within {@code headerTimeout}, an authenticated body within
 *       {@code bodyTimeout}; headers are capped at {@code maxHeaderSize}, bodies at {@code maxBody}
 *       (413 before reading);
 *   <li>connections are capped in total and, before they authenticate, per server and per client
 *       address; one over a cap is closed as it opens;
 *   <li>open routes ({@code GET /health}) are answered on the network threads, never queued behind
 *       anything else;
 *   <li>authenticated requests run on {@code threads} worker threads with {@code queue} places to
 *       wait; beyond that they are answered 503 (SERVER_BUSY), never queued without bound;
 *   <li>failures map to answers in one place ({@link HttpErrors}); neither tokens nor {@code
 *       Authorization} headers are ever logged.
 * </ul>
 *
 * Reads go into small unpooled heap buffers, so unauthenticated connections cannot exhaust direct
 * memory. Pipelined requests are answered one at a time, in order.
 */
public final class GuardedHttpServer implements AutoCloseable {
  static final Logger LOG = LoggerFactory.getLogger(GuardedHttpServer.class);

  private static final int READ_BUFFER = 4096;
  private static final int MAX_INITIAL_LINE = 4096;
  private static final int IO_THREADS = 2;
  private static final SecureRandom RANDOM = new SecureRandom();

  /**
   * Who the server is and what it guards.
   *
   * @param name for log lines and messages, e.g. {@code API}
   * @param bind the address to listen on
   * @param port the port; 0 picks a free one ({@link #port()})
   * @param token the bearer token of every route not added as open
   * @param tokenHint where a client finds the token, for the 401 message, e.g. {@code the daemon's
   *     api.token}
   * @param listenKeys the config keys of bind and port, for the message when binding fails
   * @param limits timeouts, caps and sizes
   */
  public record Settings(
      String name,
      String bind,
      int port,
      Secret token,
      String tokenHint,
      String listenKeys,
      HttpLimits limits) {
    public Settings {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(bind, "bind");
      Objects.requireNonNull(token, "token");
      Objects.requireNonNull(tokenHint, "tokenHint");
      Objects.requireNonNull(listenKeys, "listenKeys");
      Objects.requireNonNull(limits, "limits");
    }
  }

  private final Settings settings;
  private final HttpRouter router;
  private final BearerToken token;
  private final ConnectionGate gate;
  private final RefusalLog refusals;
  private final ThreadPoolExecutor workers;
  private final EventLoopGroup group;
  private Channel channel;

  private GuardedHttpServer(Settings settings, HttpRouter router) {
    this.settings = settings;
    this.router = router;
    this.token = new BearerToken(settings.token());
    this.gate = new ConnectionGate(settings.limits());
    this.refusals = new RefusalLog(LOG, System::nanoTime);
    String slug = settings.name().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-");
    HttpLimits l = settings.limits();
    BlockingQueue<Runnable> queue =
        l.queue() == 0 ? new SynchronousQueue<>() : new ArrayBlockingQueue<>(l.queue());
    AtomicInteger n = new AtomicInteger();
    this.workers =
        new ThreadPoolExecutor(
            l.threads(),
            l.threads(),
            60,
            TimeUnit.SECONDS,
            queue,
            r -> {
              Thread t = new Thread(r, "dbjobs-" + slug + "-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            },
            new ThreadPoolExecutor.AbortPolicy());
    this.group =
        new NioEventLoopGroup(IO_THREADS, new DefaultThreadFactory("dbjobs-" + slug + "-io", true));
  }

  /**
   * Listens on {@code settings.bind():settings.port()} and serves {@code router}'s routes.
   *
   * @throws DbJobsException CONFIG_INVALID when the address cannot be bound
   */
  public static GuardedHttpServer start(Settings settings, HttpRouter router) {
    GuardedHttpServer s = new GuardedHttpServer(settings, router);
    try {
      s.bind();
    } catch (RuntimeException e) {
      s.close();
      throw e;
    }
    LOG.info(
        "{} listening on {}:{} ({})",
        settings.name(),
        settings.bind(),
        s.port(),
        settings.limits().describe());
    return s;
  }

  private void bind() {
    HttpLimits l = settings.limits();
    ServerBootstrap b =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .option(ChannelOption.SO_BACKLOG, 128)
            .childOption(ChannelOption.ALLOCATOR, new UnpooledByteBufAllocator(false))
            .childOption(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(READ_BUFFER))
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    admit(ch, l);
                  }
                });
    ChannelFuture f = b.bind(new InetSocketAddress(settings.bind(), settings.port()));
    f.awaitUninterruptibly();
    if (!f.isSuccess()) {
      throw new DbJobsException(
          ErrorCode.CONFIG_INVALID,
          "cannot listen for the "
              + settings.name()
              + " on "
              + settings.bind()
              + ":"
              + settings.port()
              + " ("
              + settings.listenKeys()
              + "): "
              + DbJobsException.describe(f.cause()),
          f.cause());
    }
    channel = f.channel();
  }

  private void admit(SocketChannel ch, HttpLimits l) {
    InetSocketAddress remote = ch.remoteAddress();
    ConnectionGate.Admission a = gate.admit(remote.getAddress());
    if (a.ticket() == null) {
      refusals.warn(
          settings.name()
              + " refused a connection from "
              + remote.getAddress().getHostAddress()
              + ": over "
              + a.refusal().key);
      ch.close();
      return;
    }
    ConnectionGate.Ticket ticket = a.ticket();
    ch.closeFuture().addListener(f -> ticket.release());
    RequestGuard guard = new RequestGuard(this, ticket);
    HttpDecoderConfig codec =
        new HttpDecoderConfig()
            .setMaxInitialLineLength(MAX_INITIAL_LINE)
            .setMaxHeaderSize(l.maxHeaderSize())
            .setMaxChunkSize(READ_BUFFER)
            .setInitialBufferSize(256);
    ch.pipeline()
        .addLast(new RawInput(guard))
        .addLast(new HttpServerCodec(codec))
        .addLast(new FlowControlHandler())
        .addLast(guard);
  }

  /** The port listened on. */
  public int port() {
    return ((InetSocketAddress) channel.localAddress()).getPort();
  }

  /** Answers {@code call} with its route's handler, mapping failures ({@link HttpErrors}). */
  HttpReply invoke(HttpRouter.Route route, HttpCall call) {
    try {
      HttpReply r = route.handler().handle(call);
      return Objects.requireNonNull(r, "a handler answered null");
    } catch (DbJobsException e) {
      HttpReply r = HttpErrors.of(e);
      if (r.status() >= 500) {
        LOG.warn(
            "{} {} {} failed: {}: {}",
            settings.name(),
            call.method(),
            call.rawPath(),
            e.code(),
            e.getMessage());
      } else {
        LOG.debug("{} {} {}: {}", settings.name(), call.method(), call.rawPath(), e.getMessage());
      }
      return r;
    } catch (IOException | RuntimeException e) {
      String incident = incident();
      LOG.warn(
          "{} {} {} failed (incident {}): {}",
          settings.name(),
          call.method(),
          call.rawPath(),
          incident,
          DbJobsException.describe(e),
          e);
      return HttpErrors.internal(incident);
    }
  }

  HttpReply unauthorized(BearerToken.Verdict v) {
    String hint = settings.tokenHint();
    return HttpErrors.error(
            401,
            HttpErrors.UNAUTHORIZED,
            v == BearerToken.Verdict.MISSING
                ? "missing Authorization: Bearer <token> (" + hint + ")"
                : "wrong " + settings.name() + " token (" + hint + ")")
        .withHeader("WWW-Authenticate", "Bearer");
  }

  HttpReply busy() {
    HttpLimits l = settings.limits();
    return HttpErrors.error(
        503,
        ErrorCode.SERVER_BUSY,
        settings.name()
            + " is busy: its "
            + l.threads()
            + " threads (threads) and "
            + l.queue()
            + " waiting places (queue) are taken; try again shortly");
  }

  private static String incident() {
    byte[] b = new byte[4];
    RANDOM.nextBytes(b);
    return HexFormat.of().formatHex(b);
  }

  String name() {
    return settings.name();
  }

  HttpRouter router() {
    return router;
  }

  BearerToken token() {
    return token;
  }

  HttpLimits limits() {
    return settings.limits();
  }

  ExecutorService workers() {
    return workers;
  }

  RefusalLog refusals() {
    return refusals;
  }

  /** Connections open now. */
  public int openConnections() {
    return gate.open();
  }

  /** Connections open now that have not sent the right token yet. */
  public int unauthenticatedConnections() {
    return gate.unauthenticated();
  }

  /** Connections closed as they opened because they were over a cap, since the start. */
  public long refusedConnections() {
    return gate.refused();
  }

  /**
   * Stops listening, gives requests being answered up to two seconds, then closes every connection.
   */
  @Override
  public void close() {
    if (channel != null) {
      channel.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
    }
    workers.shutdown();
    try {
      if (!workers.awaitTermination(2, TimeUnit.SECONDS)) {
        workers.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      workers.shutdownNow();
    }
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
    LOG.info("{} stopped", settings.name());
  }
}
