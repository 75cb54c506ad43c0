package io.dbjobs.common.stream;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
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
 */
public final class StreamListener implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(StreamListener.class);
  private static final int RECENT_OUTCOMES = 256;
  private static final long CLOSE_WAIT_MILLIS = 10_000;

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

  private StreamListener(String host, int requestedPort, StreamOptions options, boolean oneShot) {
    this.options = options;
    this.oneShot = oneShot;
    this.boss = new NioEventLoopGroup(1, new DefaultThreadFactory("dbjobs-stream-accept", true));
    this.workers =
        new NioEventLoopGroup(
            Math.min(4, Runtime.getRuntime().availableProcessors()),
            new DefaultThreadFactory("dbjobs-stream-recv", true));
    ServerBootstrap b =
        new ServerBootstrap()
            .group(boss, workers)
            .channel(NioServerSocketChannel.class)
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
    LOG.info(
        "listening for streams on {}{}{}",
        address,
        options.tls() == null ? "" : " (mutual TLS)",
        oneShot ? " for one stream" : "");
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

  /** Expects a stream, without progress reports. */
  public ExpectedStream expect(String streamId, String secretHex, SinkFactory sinks) {
    return expect(streamId, secretHex, sinks, ProgressListener.NONE);
  }

  /**
   * Registers a stream this listener accepts once, from a sender that proves it knows {@code
   * secretHex}.
   *
   * @param sinks opened only after the sender authenticated
   * @param progress bytes written to the sink so far, at most every 250 ms
   * @throws DbJobsException BAD_PARAMETER for an invalid id or secret, or an id already expected
   *     here; CANCELLED when the listener is closed or a one-shot listener took its stream
   */
  public ExpectedStream expect(
      String streamId, String secretHex, SinkFactory sinks, ProgressListener progress) {
    if (!StreamProtocol.isValidStreamId(streamId)) {
      throw new DbJobsException(
          ErrorCode.BAD_PARAMETER,
          "stream id '"
              + WireCodec.printable(String.valueOf(streamId))
              + "' is invalid: use 1 to 128 characters from [A-Za-z0-9._:@/-]");
    }
    byte[] key = StreamSecret.keyBytes(secretHex, streamId);
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
        new ExpectedStream(streamId, key, sinks, progress, address, this::streamDone);
    if (expected.putIfAbsent(streamId, e) != null) {
      throw new DbJobsException(
          ErrorCode.BAD_PARAMETER, "stream " + streamId + " is already expected on " + address);
    }
    synchronized (recentOutcomes) {
      recentOutcomes.remove(streamId);
    }
    LOG.info("expecting stream {} on {}", streamId, address);
    return e;
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
    ChannelPipeline p = ch.pipeline();
    ActivityStamp activity = new ActivityStamp();
    p.addLast("activity", activity);
    if (options.tls() != null) {
      SslHandler ssl = options.tls().serverContext().newHandler(ch.alloc());
      ssl.setHandshakeTimeoutMillis(options.handshakeTimeout().toMillis());
      p.addLast("tls", ssl);
    }
    FrameDecoder decoder = new FrameDecoder();
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
