package io.dbjobs.common.stream;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.stream.WireMessage.Abort;
import io.dbjobs.common.stream.WireMessage.Accept;
import io.dbjobs.common.stream.WireMessage.Ack;
import io.dbjobs.common.stream.WireMessage.Challenge;
import io.dbjobs.common.stream.WireMessage.Data;
import io.dbjobs.common.stream.WireMessage.Hello;
import io.dbjobs.common.stream.WireMessage.Keepalive;
import io.dbjobs.common.stream.WireMessage.Nack;
import io.dbjobs.common.stream.WireMessage.Proof;
import io.dbjobs.common.stream.WireMessage.Refusal;
import io.dbjobs.common.stream.WireMessage.Trailer;
import io.dbjobs.common.time.Durations;
import io.dbjobs.common.units.Sizes;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The listener's side of one connection, on its network thread: the handshake, then DATA into the
 * {@link HandOff} of a {@link SinkWorker}, reading from the socket only while the hand-off has room
 * (the channel runs with autoRead off).
 *
 * <p>Before the sender proved the secret, any problem closes this connection with a WARN
 * (rate-limited by the listener) and leaves the expected stream waiting; so does, with TLS, a
 * sender whose certificate does not name the stream's expected sender (checked before CHALLENGE).
 * Until ACCEPT the connection reads into small heap buffers ({@link PreAuthBuffers}). After it, the
 * stream belongs to this connection: any failure fails the expected stream (the worker aborts the
 * sink, then completes it).
 */
final class ReceiverConnection extends ChannelInboundHandlerAdapter {
  /** Reading stops while this many DATA bytes wait for the sink. */
  static final long HANDOFF_LIMIT = 1 << 20;

  /**
   * The most DATA bytes that can wait for the sink: the limit, plus what one socket read (at most
   * 64 KiB) can complete, which includes one partly received frame of at most 1 MiB.
   */
  static final long QUEUE_BOUND = HANDOFF_LIMIT + StreamProtocol.MAX_DATA_PAYLOAD + (64 << 10);

  /** How long a refused or failed connection is drained before it is closed. */
  static final long LINGER_MILLIS = 2000;

  private static final Logger LOG = LoggerFactory.getLogger(ReceiverConnection.class);

  enum Phase {
    /** Waiting for HELLO. */
    HELLO,
    /** CHALLENGE sent, waiting for PROOF. */
    PROOF,
    /** Authenticated; the worker opens the sink. */
    OPENING,
    /** ACCEPT sent; DATA flows. */
    STREAMING,
    /** TRAILER received; the worker verifies and finishes the sink. */
    FINISHING,
    /** Done or failed; nothing more is read or sent, except the worker's verdict. */
    CLOSED
  }

  private final ListenerSide side;
  private final FrameDecoder decoder;
  private final ActivityStamp activity;
  private final boolean tls;
  private final HandOff handOff;
  private final AtomicBoolean resumePending = new AtomicBoolean();
  private ChannelHandlerContext ctx;
  private Phase phase = Phase.HELLO;
  private String remote = "?";
  private InetSocketAddress remoteAddress;
  private Hello hello;
  private ExpectedStream expected;
  private SessionKeys keys;
  private ScheduledFuture<?> handshakeTimer;
  private ScheduledFuture<?> jobTimer;
  private ScheduledFuture<?> idleTimer;
  private ScheduledFuture<?> keepaliveTimer;
  private long claimedNanos;
  private long wireBytes;
  private volatile Thread worker;
  private volatile boolean paused;
  private boolean lingering;
  private volatile long plainBytes;
  private volatile long lastConsumedNanos;

  ReceiverConnection(ListenerSide side, FrameDecoder decoder, ActivityStamp activity, boolean tls) {
    this.side = side;
    this.decoder = decoder;
    this.activity = activity;
    this.tls = tls;
    this.handOff = new HandOff(side.gauge());
  }

  // ---- events from Netty ----

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    SocketAddress a = ctx.channel().remoteAddress();
    if (a instanceof InetSocketAddress isa) {
      remoteAddress = isa;
      remote = isa.getAddress() == null ? isa.toString() : hostPort(isa);
    } else if (a != null) {
      remote = a.toString();
    }
    side.register(this);
    Duration handshake = side.options().handshakeTimeout();
    handshakeTimer =
        ctx.executor().schedule(this::handshakeTimedOut, handshake.toNanos(), TimeUnit.NANOSECONDS);
    ctx.read();
    ctx.fireChannelActive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof WireMessage m)) {
      ReferenceCountUtil.release(msg);
      return;
    }
    boolean handedOver = false;
    try {
      switch (phase) {
        case HELLO -> onHello(m);
        case PROOF -> onProof(m);
        case STREAMING -> handedOver = onStreaming(m);
        case CLOSED -> {
          // closing: drop whatever still arrives
        }
        default -> throw unexpected(m);
      }
    } catch (DbJobsException e) {
      failLocal(e, true, false);
    } finally {
      if (!handedOver) {
        ReferenceCountUtil.release(m);
      }
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    switch (phase) {
      case HELLO, PROOF -> ctx.read();
      case STREAMING -> readIfRoom();
      case CLOSED -> {
        if (lingering) {
          ctx.read();
        }
      }
      default -> {
        // OPENING, FINISHING: not reading
      }
    }
    ctx.fireChannelReadComplete();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    side.unregister(this);
    if (phase == Phase.CLOSED) {
      return;
    }
    if (isAuthenticated()) {
      failLocal(
          new DbJobsException(
              ErrorCode.STREAM_CUT,
              "stream "
                  + hello.streamId()
                  + " from "
                  + remote
                  + " cut "
                  + where()
                  + ": the connection closed"
                  + (phase == Phase.FINISHING ? " after the trailer" : " before the trailer")),
          false,
          false);
      return;
    }
    phase = Phase.CLOSED;
    cancelTimers();
    if (hello != null) {
      side.preAuthWarning(
          "connection from "
              + remote
              + " for stream "
              + hello.streamId()
              + " closed before it proved the secret");
    } else if (activity.bytesRead() > 0) {
      side.preAuthWarning(
          "connection from "
              + remote
              + " closed after "
              + Sizes.human(activity.bytesRead())
              + " without a complete HELLO");
    } else {
      LOG.debug("connection from {} closed without sending anything", remote);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (phase == Phase.CLOSED) {
      LOG.debug("ignoring error on closed connection from {}: {}", remote, cause.toString());
      return;
    }
    DbJobsException e = classify(cause);
    boolean tellPeer = e.code() == ErrorCode.STREAM_PROTOCOL;
    failLocal(e, tellPeer, false);
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof SslHandshakeCompletionEvent hs && !hs.isSuccess()) {
      if (phase != Phase.CLOSED) {
        failLocal(tlsFailure(hs.cause()), false, false);
      }
      return;
    }
    ctx.fireUserEventTriggered(evt);
  }

  // ---- handshake ----

  private void onHello(WireMessage m) {
    if (m instanceof Refusal r) {
      throw peerRefused(r);
    }
    if (!(m instanceof Hello h)) {
      throw unexpected(m);
    }
    hello = h;
    ExpectedStream e = side.lookup(h.streamId());
    if (e == null) {
      String outcome = side.recentOutcome(h.streamId());
      throw refusal(
          ErrorCode.STREAM_PROTOCOL,
          outcome == null
              ? "this listener does not expect stream " + h.streamId()
              : "stream " + h.streamId() + " " + outcome + "; a stream is accepted once",
          outcome == null
              ? "unknown stream " + h.streamId() + " (not expected here, or already gone)"
              : "stream " + h.streamId() + " " + outcome + "; a stream is accepted once");
    }
    if (e.state() != ExpectedStream.State.WAITING) {
      throw alreadyTaken(e);
    }
    checkSenderIdentity(e);
    expected = e;
    byte[] serverNonce = SessionKeys.nonce();
    keys = new SessionKeys(e.key(), h, serverNonce);
    phase = Phase.PROOF;
    ctx.writeAndFlush(new Challenge(serverNonce, keys.listenerProof()));
  }

  /**
   * With TLS: the sender's certificate must name the stream's expected sender, before it gets a
   * CHALLENGE. A mismatch closes this connection only; the stream keeps waiting.
   */
  private void checkSenderIdentity(ExpectedStream e) {
    PeerIdentity want = e.senderIdentity();
    if (!tls || want == null || want.isAny()) {
      return;
    }
    X509Certificate cert = peerCertificate();
    if (want.matches(cert)) {
      return;
    }
    String presented = PeerIdentity.namesIn(cert);
    throw refusal(
        ErrorCode.STREAM_AUTH_FAILED,
        "stream "
            + e.streamId()
            + " is expected from "
            + want.describe()
            + ", and this sender's certificate names "
            + presented,
        "the certificate of "
            + remote
            + " names "
            + presented
            + ", not "
            + want.describe()
            + " that stream "
            + e.streamId()
            + " is expected from; the stream keeps waiting");
  }

  /** The sender's certificate from the finished TLS handshake, or null. */
  private X509Certificate peerCertificate() {
    SslHandler ssl = ctx.pipeline().get(SslHandler.class);
    if (ssl == null) {
      return null;
    }
    try {
      Certificate[] chain = ssl.engine().getSession().getPeerCertificates();
      return chain.length > 0 && chain[0] instanceof X509Certificate x ? x : null;
    } catch (SSLPeerUnverifiedException e) {
      // no verified client certificate: it names nobody (the listener requires one anyway)
      return null;
    }
  }

  private void onProof(WireMessage m) {
    if (m instanceof Refusal r) {
      throw peerRefused(r);
    }
    if (!(m instanceof Proof p)) {
      throw unexpected(m);
    }
    if (!SessionKeys.matches(keys.senderProof(), p.senderProof())) {
      throw refusal(
          ErrorCode.STREAM_AUTH_FAILED,
          "authentication failed for stream " + hello.streamId(),
          "wrong proof for stream "
              + hello.streamId()
              + ": the sender does not hold this job's secret");
    }
    if (!expected.tryClaim(this, remote)) {
      throw alreadyTaken(expected);
    }
    handshakeTimer.cancel(false);
    claimedNanos = System.nanoTime();
    phase = Phase.OPENING;
    jobTimer =
        ctx.executor()
            .schedule(
                this::jobTimedOut, side.options().jobTimeout().toNanos(), TimeUnit.NANOSECONDS);
    LOG.info(
        "stream {} from {} authenticated ({}{}{}); opening its sink",
        hello.streamId(),
        remote,
        hello.compression(),
        tls ? ", TLS" : "",
        hello.sizeHint() >= 0 ? ", " + Sizes.human(hello.sizeHint()) + " announced" : "");
    side.claimed(expected, this);
    StreamHello info =
        new StreamHello(
            hello.streamId(),
            hello.version(),
            hello.compression(),
            hello.sizeHint(),
            remoteAddress,
            tls);
    worker =
        side.startWorker(
            hello.streamId(), new SinkWorker(this, expected, info, keys, handOff, remote));
  }

  // ---- streaming ----

  /** Returns true when the message (DATA) now belongs to the hand-off. */
  private boolean onStreaming(WireMessage m) {
    if (m instanceof Data d) {
      wireBytes += d.content().readableBytes();
      handOff.offer(d);
      return true;
    }
    if (m instanceof Trailer t) {
      phase = Phase.FINISHING;
      cancel(idleTimer);
      handOff.offer(t);
      long every = Math.max(1, side.options().idleTimeout().toNanos() / 3);
      keepaliveTimer =
          ctx.executor().scheduleAtFixedRate(this::keepalive, every, every, TimeUnit.NANOSECONDS);
    } else if (m instanceof Abort a) {
      failLocal(
          new DbJobsException(
              codeOf(a.code()),
              "sender "
                  + remote
                  + " aborted stream "
                  + hello.streamId()
                  + " "
                  + where()
                  + ": "
                  + a.reason()),
          false,
          false);
    } else if (m instanceof Refusal r) {
      failLocal(peerRefused(r), false, false);
    } else if (!(m instanceof Keepalive)) {
      throw unexpected(m);
    }
    return false;
  }

  private void readIfRoom() {
    if (handOff.queuedBytes() < HANDOFF_LIMIT) {
      paused = false;
      ctx.read();
      return;
    }
    paused = true;
    // the worker may have drained the queue between the check and setting the flag
    if (handOff.queuedBytes() < HANDOFF_LIMIT) {
      paused = false;
      activity.touch();
      ctx.read();
    }
  }

  /** Worker thread: it took DATA from the queue; resume reading if reading was paused. */
  void consumed(long plainBytesSoFar) {
    plainBytes = plainBytesSoFar;
    lastConsumedNanos = System.nanoTime();
    if (paused
        && handOff.queuedBytes() < HANDOFF_LIMIT
        && resumePending.compareAndSet(false, true)) {
      runOnLoop(
          () -> {
            resumePending.set(false);
            if (phase == Phase.STREAMING && paused) {
              paused = false;
              activity.touch();
              ctx.read();
            }
          },
          () -> {});
    }
  }

  // ---- from the worker ----

  /** Worker thread: the sink is open; let data flow. */
  void sinkOpened() {
    runOnLoop(
        () -> {
          if (phase != Phase.OPENING) {
            return;
          }
          phase = Phase.STREAMING;
          lastConsumedNanos = System.nanoTime();
          PreAuthBuffers.switchToStreaming(ctx.channel());
          decoder.allowData();
          ctx.writeAndFlush(new Accept());
          activity.touch();
          long idle = side.options().idleTimeout().toNanos();
          long every =
              Math.max(TimeUnit.MILLISECONDS.toNanos(10), Math.min(idle / 4, 1_000_000_000L));
          idleTimer =
              ctx.executor()
                  .scheduleAtFixedRate(this::checkIdle, every, every, TimeUnit.NANOSECONDS);
          ctx.read();
        },
        () ->
            handOff.fail(
                new DbJobsException(
                    ErrorCode.CANCELLED, "the listener stopped while the sink was opening")));
  }

  /**
   * Worker thread: the sink finished; send the ACK and close. The future completes once the ACK is
   * written (true) or could not be (false).
   */
  CompletableFuture<Boolean> sendAck(Ack ack) {
    CompletableFuture<Boolean> written = new CompletableFuture<>();
    runOnLoop(
        () -> {
          Phase before = phase;
          if (before == Phase.CLOSED) {
            written.complete(false);
            return;
          }
          phase = Phase.CLOSED;
          cancelTimers();
          if (before != Phase.FINISHING || !ctx.channel().isActive()) {
            written.complete(false);
            ctx.close();
            return;
          }
          ctx.writeAndFlush(ack)
              .addListener(
                  f -> {
                    written.complete(f.isSuccess());
                    ctx.close();
                  });
        },
        () -> written.complete(false));
    return written;
  }

  /**
   * Worker thread: the stream failed. Tells the sender (NACK after the trailer, ERROR before),
   * unless the connection is already closed, and closes it.
   */
  CompletableFuture<Void> sendFailure(DbJobsException e, boolean afterTrailer) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    runOnLoop(
        () -> {
          if (phase == Phase.CLOSED) {
            // whoever closed it already told the sender, and may still be draining: leave it
            done.complete(null);
            return;
          }
          phase = Phase.CLOSED;
          cancelTimers();
          if (!ctx.channel().isActive()) {
            ctx.close();
            done.complete(null);
            return;
          }
          WireMessage verdict =
              afterTrailer
                  ? new Nack(e.code().name(), e.getMessage())
                  : new Refusal(e.code().name(), e.getMessage());
          close(verdict).addListener(f -> done.complete(null));
        },
        () -> done.complete(null));
    return done;
  }

  /** Any thread: cancel the stream (CANCELLED, listener closed). */
  void cancel(DbJobsException reason) {
    runOnLoop(() -> failLocal(reason, true, true), () -> handOff.fail(reason));
  }

  /** Runs on the network thread, or {@code ifGone} when that thread no longer runs tasks. */
  private void runOnLoop(Runnable task, Runnable ifGone) {
    try {
      ctx.executor().execute(task);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      ifGone.run();
    }
  }

  /** Closes a connection that has not authenticated (one-shot listener took its stream). */
  void closeIfUnauthenticated(String why) {
    runOnLoop(
        () -> {
          if (phase == Phase.HELLO || phase == Phase.PROOF) {
            failLocal(new DbJobsException(ErrorCode.STREAM_PROTOCOL, why), true, false);
          }
        },
        () -> {});
  }

  // ---- timers ----

  private void handshakeTimedOut() {
    if (phase != Phase.HELLO && phase != Phase.PROOF) {
      return;
    }
    String stage =
        phase == Phase.HELLO
            ? (tls ? "no HELLO (TLS handshake included)" : "no HELLO")
            : "no proof for stream " + hello.streamId();
    failLocal(
        new DbJobsException(
            ErrorCode.STREAM_TIMEOUT,
            stage
                + " within the handshake timeout of "
                + Durations.human(side.options().handshakeTimeout())),
        true,
        false);
  }

  private void jobTimedOut() {
    if (phase == Phase.CLOSED) {
      return;
    }
    failLocal(
        new DbJobsException(
            ErrorCode.STREAM_TIMEOUT,
            "stream "
                + hello.streamId()
                + " from "
                + remote
                + " did not finish within the job timeout of "
                + Durations.human(side.options().jobTimeout())
                + " ("
                + where()
                + ")"),
        true,
        true);
  }

  private void checkIdle() {
    if (phase != Phase.STREAMING) {
      return;
    }
    Duration idle = side.options().idleTimeout();
    if (paused) {
      // not reading on purpose: the sink is behind; it must still make progress
      long stalledNanos = System.nanoTime() - lastConsumedNanos;
      if (stalledNanos > idle.toNanos()) {
        failLocal(
            new DbJobsException(
                ErrorCode.STREAM_TIMEOUT,
                "stream "
                    + hello.streamId()
                    + " from "
                    + remote
                    + ": the sink took no bytes for "
                    + Durations.human(Duration.ofNanos(stalledNanos))
                    + " (idle timeout "
                    + Durations.human(idle)
                    + ") "
                    + where()),
            true,
            true);
      }
      return;
    }
    long silentNanos = System.nanoTime() - activity.lastReadNanos();
    if (silentNanos > idle.toNanos()) {
      failLocal(
          new DbJobsException(
              ErrorCode.STREAM_TIMEOUT,
              "stream "
                  + hello.streamId()
                  + " from "
                  + remote
                  + ": no bytes for "
                  + Durations.human(Duration.ofNanos(silentNanos))
                  + " (idle timeout "
                  + Durations.human(idle)
                  + ") "
                  + where()),
          true,
          false);
    }
  }

  private void keepalive() {
    if (phase != Phase.FINISHING) {
      cancel(keepaliveTimer);
      return;
    }
    ctx.writeAndFlush(new Keepalive())
        .addListener(
            f -> {
              if (!f.isSuccess() && phase == Phase.FINISHING) {
                handOff.fail(
                    new DbJobsException(
                        ErrorCode.STREAM_CUT,
                        "stream "
                            + hello.streamId()
                            + " from "
                            + remote
                            + ": the connection broke while the sink finished",
                        f.cause()));
              }
            });
  }

  // ---- failures ----

  /**
   * A failure seen on the network thread. Before authentication: WARN, tell the peer (if asked),
   * close. After: record it for the worker (which aborts the sink and fails the stream), tell the
   * peer and close, except while the sink finishes, when the worker sends the verdict itself.
   */
  private void failLocal(DbJobsException e, boolean tellPeer, boolean interruptWorker) {
    if (phase == Phase.CLOSED) {
      return;
    }
    boolean authenticated = isAuthenticated();
    if (!authenticated) {
      side.preAuthWarning(
          "closing connection from "
              + remote
              + (hello == null ? "" : " (stream " + hello.streamId() + ")")
              + ": "
              + e.getMessage());
      phase = Phase.CLOSED;
      cancelTimers();
      close(tellPeer ? new Refusal(e.code().name(), wireText(e)) : null);
      return;
    }
    handOff.fail(e);
    if (interruptWorker && worker != null) {
      worker.interrupt();
    }
    if (phase == Phase.FINISHING) {
      return;
    }
    phase = Phase.CLOSED;
    cancelTimers();
    close(tellPeer ? new Refusal(e.code().name(), e.getMessage()) : null);
  }

  /**
   * Closes the connection, after sending {@code last} if given. Then it half-closes and keeps
   * reading (and dropping) for up to {@link #LINGER_MILLIS}: closing with unread bytes in the
   * socket would send a TCP reset, which can destroy {@code last} before the peer reads it.
   */
  private ChannelFuture close(WireMessage last) {
    if (last == null || !ctx.channel().isActive()) {
      return ctx.close();
    }
    lingering = true;
    ChannelFuture written = ctx.writeAndFlush(last);
    written.addListener(
        f -> {
          if (!f.isSuccess() || !(ctx.channel() instanceof SocketChannel sc)) {
            ctx.close();
            return;
          }
          sc.shutdownOutput()
              .addListener(
                  x -> {
                    ctx.executor()
                        .schedule(() -> ctx.close(), LINGER_MILLIS, TimeUnit.MILLISECONDS);
                    ctx.read();
                  });
        });
    return written;
  }

  /** Unauthenticated peers get the message without details meant for the log. */
  private static String wireText(DbJobsException e) {
    return e instanceof Refused r ? r.wireMessage : e.getMessage();
  }

  private DbJobsException alreadyTaken(ExpectedStream e) {
    String by = e.sender();
    return refusal(
        ErrorCode.STREAM_PROTOCOL,
        "stream "
            + e.streamId()
            + (by == null ? " is no longer expected" : " is already being received")
            + "; a stream is accepted once",
        "second connection for stream "
            + e.streamId()
            + (by == null
                ? ", which is no longer expected"
                : ", already being received from " + by));
  }

  private DbJobsException peerRefused(Refusal r) {
    return new DbJobsException(
        codeOf(r.code()),
        "sender "
            + remote
            + " gave up"
            + (hello == null ? "" : " on stream " + hello.streamId())
            + ": "
            + r.message());
  }

  private DbJobsException unexpected(WireMessage m) {
    return WireCodec.protocol(
        "unexpected "
            + m.type()
            + " frame while "
            + phase.name().toLowerCase()
            + " from "
            + remote);
  }

  private DbJobsException classify(Throwable cause) {
    Throwable c =
        cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
    if (c instanceof DbJobsException d) {
      return d;
    }
    if (c instanceof NotSslRecordException || c instanceof SSLException) {
      return tlsFailure(c);
    }
    if (c instanceof IOException) {
      return new DbJobsException(
          ErrorCode.STREAM_CUT,
          (hello == null ? "connection" : "stream " + hello.streamId())
              + " from "
              + remote
              + " failed "
              + (isAuthenticated() ? where() : "during the handshake")
              + ": "
              + DbJobsException.describe(c),
          c);
    }
    return new DbJobsException(
        ErrorCode.INTERNAL,
        "unexpected error on the connection from " + remote + ": " + DbJobsException.describe(c),
        c);
  }

  private DbJobsException tlsFailure(Throwable c) {
    String hint =
        c instanceof NotSslRecordException
            ? "the sender does not use TLS (enable TLS on both ends or neither)"
            : TlsHints.forListener(c);
    return new DbJobsException(
        ErrorCode.STREAM_AUTH_FAILED, "TLS with " + remote + " failed: " + hint, c);
  }

  private static ErrorCode codeOf(String code) {
    ErrorCode c = ErrorCode.fromRow(code);
    return c == null ? ErrorCode.INTERNAL : c;
  }

  private DbJobsException refusal(ErrorCode code, String wire, String log) {
    return new Refused(code, log, wire);
  }

  /** A refusal whose wire message is terser than the logged one. */
  private static final class Refused extends DbJobsException {
    private static final long serialVersionUID = 1L;
    private final String wireMessage;

    Refused(ErrorCode code, String logMessage, String wireMessage) {
      super(code, logMessage);
      this.wireMessage = wireMessage;
    }
  }

  // ---- helpers ----

  boolean isAuthenticated() {
    return phase == Phase.OPENING || phase == Phase.STREAMING || phase == Phase.FINISHING;
  }

  /** "after 812 MiB received (800 MiB of 1.2 GiB stored), 41.0s in", for messages. */
  String where() {
    long total = hello == null ? -1 : hello.sizeHint();
    return "after "
        + Sizes.human(wireBytes)
        + " received ("
        + Sizes.human(plainBytes)
        + (total >= 0 ? " of " + Sizes.human(total) : "")
        + " stored), "
        + Durations.human(Duration.ofNanos(System.nanoTime() - claimedNanos))
        + " in";
  }

  String remote() {
    return remote;
  }

  Channel channel() {
    return ctx.channel();
  }

  long claimedNanos() {
    return claimedNanos;
  }

  Phase phase() {
    return phase;
  }

  HandOff handOff() {
    return handOff;
  }

  private void cancelTimers() {
    cancel(handshakeTimer);
    cancel(jobTimer);
    cancel(idleTimer);
    cancel(keepaliveTimer);
  }

  private static void cancel(ScheduledFuture<?> f) {
    if (f != null) {
      f.cancel(false);
    }
  }

  static String hostPort(InetSocketAddress a) {
    String host = a.getAddress().getHostAddress();
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort();
  }
}
