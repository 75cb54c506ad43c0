package io.dbjobs.common.stream;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Receives streams: a TCP (optionally mutual TLS) server that serves {@link ExpectedStream}s
 * registered with {@link #expect}. Each expected stream is delivered by exactly one sender that
 * proves it knows the stream's secret; everything else (unknown stream, wrong or missing proof,
 * garbage, oversized frames, a second connection for the same stream) is closed with a WARN naming
 * the remote address and the reason, and leaves the expected stream waiting.
 *
 * <p>A one-shot listener ({@link #openOneShot}) stops accepting connections as soon as its first
 * stream authenticated, and closes itself when that stream ends (a joiner's :4444 for one job).
 *
 * <p>Memory stays bounded whatever the stream size: a connection reads from its socket only while
 * less than 1 MiB waits for its sink, so a slow sink slows the sender through TCP flow control.
 *
 * <p>Nothing exhausts it before authentication: at most {@link StreamOptions#maxUnauthenticated()}
 * connections that have not proven a secret, {@link StreamOptions#maxUnauthenticatedPerAddress()}
 * per address (one more is closed at once, before a byte is read; see {@link PreAuthSlots} for who
 * gives way when the listener is full); until ACCEPT a connection reads at most 1 KiB at a time
 * into unpooled heap buffers and takes only the handshake frames at their real sizes; and the
 * handshake timeout cuts whoever has not authenticated by then. Warnings about such peers are
 * rate-limited.
 *
 * <p>With TLS, each expected stream names its sender ({@link PeerIdentity}): after the TLS
 * handshake, once HELLO names the stream and before CHALLENGE, a sender whose certificate does not
 * name it is refused (STREAM_AUTH_FAILED) and the stream keeps waiting.
 */
public final class StreamListener implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(StreamListener.class);
  private static final int RECENT_OUTCOMES = 256;
  private static final long CLOSE_WAIT_MILLIS = 10_000;
  private static final int WARN_BURST = 10;
  private static final Duration WARN_WINDOW = Duration.ofSeconds(10);

  private final StreamOptions options;
  private final boolean oneShot;
  private final String address;
  private final int port;
  private final EventLoopGroup boss;
  private final EventLoopGroup workers;
  private final Channel serverChannel;
  private final Map<String, ExpectedStream> expected = new ConcurrentHashMap<>();
  private final Map<String, String> recentOutcomes =
      new LinkedHashMap<>(16, 0.75f, false) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
          return size() > RECENT_OUTCOMES;
        }
      };
  private final Set<ReceiverConnection> connections = ConcurrentHashMap.newKeySet();
  private final Set<Thread> workerThreads = ConcurrentHashMap.newKeySet();
  private final QueueGauge gauge = new QueueGauge();
  private final AtomicBoolean closing = new AtomicBoolean();
  private final AtomicBoolean tookStream = new AtomicBoolean();
  private final CompletableFuture<Void> closed = new CompletableFuture<>();
  private final Side side = new Side();
  private final PreAuthSlots<Channel> slots;
  private final ThrottledLog refusals;
  private final ThrottledLog preAuthWarnings;
  private final ScheduledFuture<?> warningFlush;

  private StreamListener(String host, int requestedPort, StreamOptions options, boolean oneShot) {
    this.options = options;
    this.oneShot = oneShot;
    this.slots =
        new PreAuthSlots<>(options.maxUnauthenticated(), options.maxUnauthenticatedPerAddress());
    this.refusals =
        new ThrottledLog(
            LOG, "connections refused over the caps", WARN_BURST, WARN_WINDOW, System::nanoTime);
    this.preAuthWarnings =
        new ThrottledLog(
            LoggerFactory.getLogger(ReceiverConnection.class),
            "unauthenticated connections closed",
            WARN_BURST,
            WARN_WINDOW,
            System::nanoTime);
    this.boss = new NioEventLoopGroup(1, new DefaultThreadFactory("dbjobs-stream-accept", true));
    this.workers =
        new NioEventLoopGroup(
            Math.min(4, Runtime.getRuntime().availableProcessors()),
            new DefaultThreadFactory("dbjobs-stream-recv", true));
    ServerBootstrap b =
        new ServerBootstrap()
            .group(boss, workers)
            .channel(NioServerSocketChannel.class)
            .handler(new Admission())
            .childOption(ChannelOption.AUTO_READ, false)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    initConnection(ch);
                  }
                });
    ChannelFuture bound = b.bind(host, requestedPort).awaitUninterruptibly();
    if (!bound.isSuccess()) {
      shutdownGroups();
      throw new DbJobsException(
          ErrorCode.CONFIG_INVALID,
          "cannot listen for streams on "
              + host
              + ":"
              + requestedPort
              + ": "
              + DbJobsException.describe(bound.cause())
              + " (another process holds the port, or the address is not local)",
          bound.cause());
    }
    serverChannel = bound.channel();
    InetSocketAddress local = (InetSocketAddress) serverChannel.localAddress();
    this.port = local.getPort();
    this.address = ReceiverConnection.hostPort(local);
    long every = WARN_WINDOW.toNanos();
    warningFlush =
        boss.scheduleAtFixedRate(
            () -> {
              refusals.flush();
              preAuthWarnings.flush();
            },
            every,
            every,
            TimeUnit.NANOSECONDS);
    LOG.info(
        "listening for streams on {}{}{} (at most {} unauthenticated connections, {} per address)",
        address,
        options.tls() == null ? "" : " (mutual TLS)",
        oneShot ? " for one stream" : "",
        options.maxUnauthenticated(),
        options.maxUnauthenticatedPerAddress());
  }

  /**
   * Listens on {@code host:port} (port 0 picks a free one, see {@link #port()}) for any number of
   * expected streams.
   *
   * @throws DbJobsException CONFIG_INVALID when the address cannot be bound
   */
  public static StreamListener open(String host, int port, StreamOptions options) {
    return new StreamListener(host, port, options, false);
  }

  /**
   * Listens for exactly one authenticated stream: once one sender proved its secret, no further
   * connection is accepted, and the listener closes when that stream ends, however it ends.
   */
  public static StreamListener openOneShot(String host, int port, StreamOptions options) {
    return new StreamListener(host, port, options, true);
  }

  /** The bound port (the real one when 0 was asked for). */
  public int port() {
    return port;
  }

  /** {@code host:port} this listener is bound to. */
  public String address() {
    return address;
  }

  /**
   * Expects a stream without naming its sender, without progress reports: for a listener without
   * TLS only (see {@link #expect(String, String, PeerIdentity, SinkFactory, ProgressListener)}).
   */
  public ExpectedStream expect(String streamId, String secretHex, SinkFactory sinks) {
    return register(streamId, secretHex, null, sinks, ProgressListener.NONE);
  }

  /**
   * Expects a stream without naming its sender: for a listener without TLS only (see {@link
   * #expect(String, String, PeerIdentity, SinkFactory, ProgressListener)}).
   *
   * @throws DbJobsException BAD_PARAMETER on a TLS listener, which must be told who the sender is
   */
  public ExpectedStream expect(
      String streamId, String secretHex, SinkFactory sinks, ProgressListener progress) {
    return register(streamId, secretHex, null, sinks, progress);
  }

  /** Expects a stream from {@code sender}, without progress reports. */
  public ExpectedStream expect(
      String streamId, String secretHex, PeerIdentity sender, SinkFactory sinks) {
    return expect(streamId, secretHex, sender, sinks, ProgressListener.NONE);
  }

  /**
   * Registers a stream this listener accepts once, from a sender that proves it knows {@code
   * secretHex} and, with TLS, whose certificate names {@code sender}.
   *
   * @param sender who must send it (the node or manager the job names), or {@link PeerIdentity#ANY}
   *     to accept any certificate of the CA; not checked without TLS; null only without TLS (with
   *     TLS a missing identity is refused)
   * @param sinks opened only after the sender authenticated
   * @param progress bytes written to the sink so far, at most every 250 ms
   * @throws DbJobsException BAD_PARAMETER for an invalid id or secret, a missing sender identity,
   *     or an id already expected here; CANCELLED when the listener is closed or a one-shot
   *     listener took its stream
   */
  public ExpectedStream expect(
      String streamId,
      String secretHex,
      PeerIdentity sender,
      SinkFactory sinks,
      ProgressListener progress) {
    return register(streamId, secretHex, sender, sinks, progress);
  }

  private ExpectedStream register(
      String streamId,
      String secretHex,
      PeerIdentity sender,
      SinkFactory sinks,
      ProgressListener progress) {
    if (!StreamProtocol.isValidStreamId(streamId)) {
      throw new DbJobsException(
          ErrorCode.BAD_PARAMETER,
          "stream id '"
              + WireCodec.printable(String.valueOf(streamId))
              + "' is invalid: use 1 to 128 characters from [A-Za-z0-9._:@/-]");
    }
    byte[] key = StreamSecret.keyBytes(secretHex, streamId);
    if (sender == null && options.tls() != null) {
      throw new DbJobsException(
          ErrorCode.BAD_PARAMETER,
          "stream "
              + streamId
              + " names no sender identity, and the listener on "
              + address
              + " uses TLS: pass the PeerIdentity of the node or manager that sends it (or"
              + " PeerIdentity.ANY to accept any certificate of the CA)");
    }
    if (sinks == null) {
      throw new DbJobsException(
          ErrorCode.BAD_PARAMETER, "stream " + streamId + " needs a sink factory");
    }
    if (closing.get() || (oneShot && tookStream.get())) {
      throw new DbJobsException(
          ErrorCode.CANCELLED,
          "listener on "
              + address
              + (closing.get() ? " is closed" : " took its one stream")
              + ": cannot expect stream "
              + streamId);
    }
    ExpectedStream e =
        new ExpectedStream(streamId, key, sender, sinks, progress, address, this::streamDone);
    if (expected.putIfAbsent(streamId, e) != null) {
      throw new DbJobsException(
          ErrorCode.BAD_PARAMETER, "stream " + streamId + " is already expected on " + address);
    }
    synchronized (recentOutcomes) {
      recentOutcomes.remove(streamId);
    }
    LOG.info(
        "expecting stream {} on {}{}",
        streamId,
        address,
        sender == null
            ? ""
            : options.tls() == null
                ? " (sender " + sender.describe() + ", not checked without TLS)"
                : " from " + sender.describe());
    return e;
  }

  /** What this listener did with connections before they authenticated. */
  public ListenerStats stats() {
    synchronized (slots) {
      return new ListenerStats(slots.held(), slots.admitted(), slots.refused(), slots.evicted());
    }
  }

  /** The most unauthenticated connections held at once, in all and from one address. */
  int[] peakUnauthenticated() {
    synchronized (slots) {
      return new int[] {slots.peak(), slots.peakPerAddress()};
    }
  }

  /** Connections registered now (unauthenticated ones included). */
  int connectionCount() {
    return connections.size();
  }

  /** Connections that still read into the small pre-authentication heap buffers. */
  int connectionsOnPreAuthBuffers() {
    int n = 0;
    for (ReceiverConnection c : connections) {
      if (PreAuthBuffers.isPreAuth(c.channel())) {
        n++;
      }
    }
    return n;
  }

  /** Whether this listener still accepts connections. */
  public boolean isOpen() {
    return serverChannel.isActive() && !closing.get();
  }

  /** Completes when the listener is fully closed (a one-shot listener closes itself). */
  public CompletableFuture<Void> closed() {
    return closed;
  }

  /**
   * Stops listening, cancels every expected stream (aborting sinks in progress, waiting up to 10 s
   * for them), and releases the threads. Idempotent.
   */
  @Override
  public void close() {
    if (!closing.compareAndSet(false, true)) {
      closed.join();
      return;
    }
    try {
      warningFlush.cancel(false);
      serverChannel.close().awaitUninterruptibly();
      for (ExpectedStream e : List.copyOf(expected.values())) {
        e.cancel(
            new DbJobsException(
                ErrorCode.CANCELLED,
                "listener on "
                    + address
                    + " closed before stream "
                    + e.streamId()
                    + " was received"));
      }
      joinWorkers();
      for (ReceiverConnection c : List.copyOf(connections)) {
        c.closeIfUnauthenticated("listener on " + address + " is closing");
      }
      shutdownGroups();
      refusals.close();
      preAuthWarnings.close();
      LOG.info("stopped listening for streams on {}", address);
    } finally {
      closed.complete(null);
    }
  }

  /** DATA bytes waiting for sinks now, over all streams of this listener. */
  long queuedBytes() {
    return gauge.queued();
  }

  /** The most DATA bytes that ever waited for sinks at once. */
  long peakQueuedBytes() {
    return gauge.peak();
  }

  private void initConnection(SocketChannel ch) {
    if (closing.get() || (oneShot && tookStream.get())) {
      ch.close();
      return;
    }
    PreAuthBuffers.install(ch);
    ChannelPipeline p = ch.pipeline();
    ActivityStamp activity = new ActivityStamp();
    p.addLast("activity", activity);
    if (options.tls() != null) {
      SslHandler ssl = options.tls().serverContext().newHandler(ch.alloc());
      ssl.setHandshakeTimeoutMillis(options.handshakeTimeout().toMillis());
      p.addLast("tls", ssl);
    }
    FrameDecoder decoder = FrameDecoder.forListener();
    p.addLast("frames", decoder);
    p.addLast("encoder", FrameEncoder.INSTANCE);
    p.addLast("stream", new ReceiverConnection(side, decoder, activity, options.tls() != null));
  }

  private void streamDone(ExpectedStream e) {
    expected.remove(e.streamId(), e);
    String outcome;
    if (e.result().isCompletedExceptionally()) {
      outcome = "failed";
    } else {
      outcome = "was already received";
    }
    synchronized (recentOutcomes) {
      recentOutcomes.put(e.streamId(), outcome);
    }
    if (oneShot && e.sender() != null && !closing.get()) {
      Thread t = new Thread(this::close, "dbjobs-stream-close-" + port);
      t.setDaemon(true);
      t.start();
    }
  }

  private void joinWorkers() {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CLOSE_WAIT_MILLIS);
    List<Thread> pending = new ArrayList<>(workerThreads);
    for (Thread t : pending) {
      if (t == Thread.currentThread()) {
        continue;
      }
      long left = deadline - System.nanoTime();
      try {
        if (left > 0) {
          t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
        }
      } catch (InterruptedException ie) {
        Thread.currentThread().interrupt();
        break;
      }
      if (t.isAlive()) {
        LOG.warn(
            "sink worker {} did not stop within {} ms of closing the listener on {}",
            t.getName(),
            CLOSE_WAIT_MILLIS,
            address);
      }
    }
  }

  private void shutdownGroups() {
    boss.shutdownGracefully(0, 2, TimeUnit.SECONDS);
    workers.shutdownGracefully(0, 2, TimeUnit.SECONDS);
    boss.terminationFuture().awaitUninterruptibly(5, TimeUnit.SECONDS);
    workers.terminationFuture().awaitUninterruptibly(5, TimeUnit.SECONDS);
  }

  @Override
  public String toString() {
    return "StreamListener[" + address + (oneShot ? ", one-shot" : "") + "]";
  }

  /**
   * On the server channel, before Netty registers an accepted connection: gives it a
   * pre-authentication slot, or closes it at once (before a byte is read, so before any buffer
   * exists) when a cap is reached. Runs on the accept thread.
   */
  private final class Admission extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      Channel child = (Channel) msg;
      if (closing.get() || (oneShot && tookStream.get())) {
        child.unsafe().closeForcibly();
        return;
      }
      InetAddress remote =
          child.remoteAddress() instanceof InetSocketAddress isa ? isa.getAddress() : null;
      PreAuthSlots.Admission<Channel> a = slots.admit(child, remote);
      switch (a.verdict()) {
        case REFUSED_ADDRESS_FULL -> {
          child.unsafe().closeForcibly();
          refusals.warn(
              "refused a connection from "
                  + a.address()
                  + " to "
                  + address
                  + ": that address already holds "
                  + a.held()
                  + " unauthenticated connections (maxUnauthenticatedPerAddress "
                  + options.maxUnauthenticatedPerAddress()
                  + ")");
          return;
        }
        case REFUSED_LISTENER_FULL -> {
          child.unsafe().closeForcibly();
          refusals.warn(
              "refused a connection from "
                  + a.address()
                  + " to "
                  + address
                  + ": the listener holds its maximum of "
                  + options.maxUnauthenticated()
                  + " unauthenticated connections (maxUnauthenticated), and no address holds more"
                  + " of them than "
                  + a.address()
                  + " ("
                  + a.held()
                  + ")");
          return;
        }
        case ADMITTED -> {
          // below: hold the slot until the connection authenticates or closes
        }
      }
      if (a.evicted() != null) {
        Channel victim = a.evicted();
        refusals.warn(
            "closed the unauthenticated connection from "
                + (victim.remoteAddress() instanceof InetSocketAddress v
                    ? ReceiverConnection.hostPort(v)
                    : String.valueOf(victim.remoteAddress()))
                + " to "
                + address
                + " (the oldest of the busiest address) to admit one from "
                + a.address()
                + ": the listener holds its maximum of "
                + options.maxUnauthenticated()
                + " (maxUnauthenticated)");
        victim.close();
      }
      child.closeFuture().addListener(f -> slots.release(child));
      ctx.fireChannelRead(child);
    }
  }

  /** What connections see of this listener. */
  private final class Side implements ListenerSide {
    @Override
    public StreamOptions options() {
      return options;
    }

    @Override
    public ExpectedStream lookup(String streamId) {
      return expected.get(streamId);
    }

    @Override
    public String recentOutcome(String streamId) {
      synchronized (recentOutcomes) {
        return recentOutcomes.get(streamId);
      }
    }

    @Override
    public void claimed(ExpectedStream stream, ReceiverConnection connection) {
      slots.release(connection.channel());
      if (oneShot && tookStream.compareAndSet(false, true)) {
        serverChannel.close();
        LOG.info(
            "one-shot listener on {} took stream {} from {}; accepting no more connections",
            address,
            stream.streamId(),
            connection.remote());
        for (ReceiverConnection c : connections) {
          if (c != connection) {
            c.closeIfUnauthenticated("listener on " + address + " already took its one stream");
          }
        }
      }
    }

    @Override
    public void preAuthWarning(String message) {
      preAuthWarnings.warn(message);
    }

    @Override
    public void register(ReceiverConnection connection) {
      connections.add(connection);
    }

    @Override
    public void unregister(ReceiverConnection connection) {
      connections.remove(connection);
    }

    @Override
    public QueueGauge gauge() {
      return gauge;
    }

    @Override
    public Thread startWorker(String streamId, Runnable worker) {
      Thread t =
          new Thread(
              () -> {
                try {
                  worker.run();
                } finally {
                  workerThreads.remove(Thread.currentThread());
                }
              },
              "dbjobs-stream-sink-" + streamId);
      t.setDaemon(true);
      workerThreads.add(t);
      t.start();
      return t;
    }
  }
}
