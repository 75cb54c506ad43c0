package io.dbjobs.common.stream;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.stream.WireMessage.Abort;
import io.dbjobs.common.stream.WireMessage.Accept;
import io.dbjobs.common.stream.WireMessage.Ack;
import io.dbjobs.common.stream.WireMessage.Challenge;
import io.dbjobs.common.stream.WireMessage.Data;
import io.dbjobs.common.stream.WireMessage.Hello;
import io.dbjobs.common.stream.WireMessage.Nack;
import io.dbjobs.common.stream.WireMessage.Proof;
import io.dbjobs.common.stream.WireMessage.Refusal;
import io.dbjobs.common.stream.WireMessage.Trailer;
import io.dbjobs.common.time.Durations;
import io.dbjobs.common.units.Sizes;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.Future;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import java.security.MessageDigest;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One stream sent, on the caller's thread: connect, (TLS, and check that the listener's certificate
 * names the target's listener identity,) HELLO, verify the listener's proof, PROOF, wait for
 * ACCEPT, DATA while the channel is writable, TRAILER, wait for ACK. The source is read only when
 * the channel can take more, so memory stays at the write-buffer high-water mark (four chunks) plus
 * one chunk, whatever the stream size.
 */
final class SendSession {
  private static final Logger LOG = LoggerFactory.getLogger(StreamSender.class);
  private static final long ABORT_FLUSH_MILLIS = 2000;
  private static final int MAX_META_JSON_BYTES = StreamProtocol.MAX_CONTROL_PAYLOAD - 1024;

  private final EventLoopGroup group;
  private final StreamTarget target;
  private final InputStream source;
  private final String sourceName;
  private final long sizeHint;
  private final SourceCompletion completion;
  private final StreamOptions options;
  private final ProgressThrottle progress;
  private final byte[] key;
  private final long startNanos = System.nanoTime();
  private final long jobDeadline;
  private final SenderHandler handler = new SenderHandler();
  private Channel channel;
  private SessionKeys keys;
  private long bytes;
  private long wireBytes;
  private boolean accepted;
  private boolean trailerSent;
  private long trailerNanos;

  SendSession(
      EventLoopGroup group,
      StreamTarget target,
      InputStream source,
      String sourceName,
      long sizeHint,
      SourceCompletion completion,
      StreamOptions options,
      ProgressListener progress) {
    this.group = group;
    this.target = target;
    this.source = source;
    this.sourceName = sourceName;
    this.sizeHint = sizeHint;
    this.completion = completion == null ? SourceCompletion.none() : completion;
    this.options = options;
    this.key = StreamSecret.keyBytes(target.secretHex(), target.streamId());
    this.jobDeadline = startNanos + options.jobTimeout().toNanos();
    this.progress = new ProgressThrottle(progress, target.streamId(), sizeHint, startNanos);
  }

  SendResult run() {
    LOG.info(
        "sending stream {} to {} ({}{}{})",
        target.streamId(),
        target.address(),
        options.compression(),
        options.tls() == null ? "" : ", TLS",
        sizeHint >= 0 ? ", " + Sizes.human(sizeHint) : "");
    try {
      requireListenerIdentity();
      connect();
      long handshakeDeadline = System.nanoTime() + options.handshakeTimeout().toNanos();
      awaitTls(handshakeDeadline);
      handshake(handshakeDeadline);
      byte[] digest = sendData();
      String message = awaitVerdict(digest);
      Duration elapsed = Duration.ofNanos(System.nanoTime() - startNanos);
      String hex = HexFormat.of().formatHex(digest);
      progress.done(bytes);
      LOG.info(
          "stream {} sent to {}: {} ({} on the wire) in {} ({}/s), sha256 {}; receiver: {}",
          target.streamId(),
          target.address(),
          Sizes.human(bytes),
          Sizes.human(wireBytes),
          Durations.human(elapsed),
          Sizes.human((long) (bytes * 1e9 / Math.max(1, elapsed.toNanos()))),
          hex,
          message);
      return new SendResult(bytes, hex, message, elapsed, wireBytes);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      DbJobsException d = abort(ErrorCode.CANCELLED, "the sending job was interrupted", e);
      LOG.warn("{}", d.getMessage());
      throw d;
    } catch (DbJobsException e) {
      LOG.warn("{}", e.getMessage());
      throw e;
    } finally {
      if (channel != null) {
        channel.close().awaitUninterruptibly(ABORT_FLUSH_MILLIS);
      }
    }
  }

  // ---- connection and handshake ----

  private void connect() throws InterruptedException {
    StreamTls tls = options.tls();
    int chunk = options.chunkBytes();
    Bootstrap b =
        new Bootstrap()
            .group(group)
            .channel(NioSocketChannel.class)
            .option(
                ChannelOption.CONNECT_TIMEOUT_MILLIS,
                (int) Math.min(Integer.MAX_VALUE, options.connectTimeout().toMillis()))
            .option(ChannelOption.TCP_NODELAY, true)
            .option(
                ChannelOption.WRITE_BUFFER_WATER_MARK,
                new WriteBufferWaterMark(2 * chunk, 4 * chunk))
            .handler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    ChannelPipeline p = ch.pipeline();
                    if (tls != null) {
                      SslHandler ssl =
                          tls.clientContext().newHandler(ch.alloc(), target.host(), target.port());
                      ssl.setHandshakeTimeoutMillis(options.handshakeTimeout().toMillis());
                      p.addLast("tls", ssl);
                    }
                    p.addLast("frames", new FrameDecoder());
                    p.addLast("encoder", FrameEncoder.INSTANCE);
                    p.addLast("stream", handler);
                  }
                });
    ChannelFuture f = b.connect(target.host(), target.port());
    if (!f.await(options.connectTimeout().toMillis() + 2000)) {
      f.cancel(false);
      throw connectTimeout();
    }
    if (!f.isSuccess()) {
      Throwable c = f.cause();
      if (c instanceof ConnectTimeoutException) {
        throw connectTimeout();
      }
      String hint =
          c instanceof ConnectException
              ? " (is the receiver listening? is a firewall in the way?)"
              : c instanceof UnknownHostException ? " (unknown host)" : "";
      throw new DbJobsException(
          ErrorCode.NODE_UNREACHABLE,
          "cannot connect to "
              + target.address()
              + " to send stream "
              + target.streamId()
              + ": "
              + DbJobsException.describe(c)
              + hint,
          c);
    }
    channel = f.channel();
  }

  private DbJobsException connectTimeout() {
    return new DbJobsException(
        ErrorCode.STREAM_TIMEOUT,
        "could not connect to "
            + target.address()
            + " within the connect timeout of "
            + Durations.human(options.connectTimeout())
            + " to send stream "
            + target.streamId()
            + " (no answer: wrong address, host down, or a firewall dropping packets)");
  }

  /** With TLS, who the listener must be is a choice the caller makes (ANY included). */
  private void requireListenerIdentity() {
    if (options.tls() != null && target.listenerIdentity() == null) {
      throw new DbJobsException(
          ErrorCode.BAD_PARAMETER,
          "stream "
              + target.streamId()
              + " to "
              + target.address()
              + " names no listener identity, and this sender uses TLS: give the StreamTarget the"
              + " PeerIdentity of the node or manager that listens (or PeerIdentity.ANY to accept"
              + " any certificate of the CA); nothing was sent");
    }
  }

  /**
   * After the TLS handshake and before HELLO: the listener's certificate must name the target's
   * listener identity, or nothing is sent.
   */
  private void checkListenerIdentity(SslHandler ssl) {
    PeerIdentity want = target.listenerIdentity();
    if (want == null || want.isAny()) {
      return;
    }
    X509Certificate cert = null;
    try {
      Certificate[] chain = ssl.engine().getSession().getPeerCertificates();
      if (chain.length > 0 && chain[0] instanceof X509Certificate x) {
        cert = x;
      }
    } catch (SSLPeerUnverifiedException e) {
      // no verified certificate: it names nobody, refused below
      cert = null;
    }
    if (!want.matches(cert)) {
      throw new DbJobsException(
          ErrorCode.STREAM_AUTH_FAILED,
          "listener at "
              + target.address()
              + " presented a certificate that names "
              + PeerIdentity.namesIn(cert)
              + ", not "
              + want.describe()
              + " that stream "
              + target.streamId()
              + " is for; nothing was sent (another node listens on that address, or its"
              + " certificate lacks that name)");
    }
  }

  private void awaitTls(long deadline) throws InterruptedException {
    SslHandler ssl = channel.pipeline().get(SslHandler.class);
    if (ssl == null) {
      return;
    }
    Future<Channel> hs = ssl.handshakeFuture();
    long wait = deadline - System.nanoTime();
    if (!hs.await(Math.max(0, wait), TimeUnit.NANOSECONDS)) {
      throw new DbJobsException(
          ErrorCode.STREAM_TIMEOUT,
          "TLS handshake with "
              + target.address()
              + " did not complete within the handshake timeout of "
              + Durations.human(options.handshakeTimeout())
              + " (stream "
              + target.streamId()
              + ")");
    }
    if (!hs.isSuccess()) {
      throw tlsFailure(hs.cause());
    }
    checkListenerIdentity(ssl);
  }

  private void handshake(long deadline) throws InterruptedException {
    Hello hello =
        new Hello(
            StreamProtocol.VERSION,
            target.streamId(),
            SessionKeys.nonce(),
            options.compression(),
            sizeHint);
    channel.writeAndFlush(hello).addListener(this::onWriteDone);
    Challenge c = awaitMessage(Challenge.class, deadline, "CHALLENGE");
    keys = new SessionKeys(key, hello, c.serverNonce());
    if (!SessionKeys.matches(keys.listenerProof(), c.listenerProof())) {
      channel
          .writeAndFlush(
              new Refusal(
                  ErrorCode.STREAM_AUTH_FAILED.name(),
                  "the listener's proof for stream " + target.streamId() + " is wrong"))
          .awaitUninterruptibly(ABORT_FLUSH_MILLIS);
      throw new DbJobsException(
          ErrorCode.STREAM_AUTH_FAILED,
          "listener at "
              + target.address()
              + " could not prove it knows the secret of stream "
              + target.streamId()
              + ": the two ends hold different secrets for this job, or this is not the intended"
              + " listener; no data was sent");
    }
    channel.writeAndFlush(new Proof(keys.senderProof())).addListener(this::onWriteDone);
    awaitMessage(Accept.class, deadline, "ACCEPT");
    accepted = true;
  }

  // ---- data ----

  private byte[] sendData() {
    MessageDigest sha = SessionKeys.newSha256();
    DataFrameOutputStream frames =
        new DataFrameOutputStream(channel.alloc(), options.chunkBytes(), this::writeData);
    OutputStream out = null;
    try {
      out = options.compression().compressing(frames);
      byte[] buf = new byte[options.chunkBytes()];
      while (true) {
        checkEvents("sending data");
        checkDeadline();
        int n = readSource(buf);
        if (n < 0) {
          break;
        }
        if (n == 0) {
          continue;
        }
        sha.update(buf, 0, n);
        bytes += n;
        out.write(buf, 0, n);
        if (sourceHasNothingReady()) {
          out.flush();
        }
        progress.update(bytes);
      }
      Map<String, String> meta = complete();
      byte[] metaJson = metaJson(meta);
      out.close();
      out = null;
      byte[] digest = sha.digest();
      awaitWritable();
      channel
          .writeAndFlush(
              new Trailer(bytes, digest, metaJson, meta, keys.trailerMac(bytes, digest, metaJson)))
          .addListener(this::onWriteDone);
      trailerSent = true;
      trailerNanos = System.nanoTime();
      return digest;
    } catch (IOException e) {
      throw abort(
          ErrorCode.INTERNAL,
          options.compression() + " compression failed: " + DbJobsException.describe(e),
          e);
    } finally {
      if (out != null) {
        frames.discard();
        closeQuietly(out);
      }
    }
  }

  private int readSource(byte[] buf) {
    if (Thread.currentThread().isInterrupted()) {
      throw abort(ErrorCode.CANCELLED, "the sending job was interrupted", null);
    }
    try {
      return source.read(buf, 0, buf.length);
    } catch (DbJobsException e) {
      throw abort(e.code(), "reading " + sourceName + " failed: " + e.getMessage(), e);
    } catch (IOException | RuntimeException e) {
      if (Thread.currentThread().isInterrupted()) {
        throw abort(ErrorCode.CANCELLED, "the sending job was interrupted", e);
      }
      throw abort(
          ErrorCode.TOOL_FAILED,
          "reading " + sourceName + " failed: " + DbJobsException.describe(e),
          e);
    }
  }

  /** True when the source has no bytes ready: flush what is buffered rather than sit on it. */
  private boolean sourceHasNothingReady() {
    try {
      return source.available() <= 0;
    } catch (IOException e) {
      return true;
    }
  }

  private Map<String, String> complete() {
    Map<String, String> meta;
    try {
      meta = completion.complete();
    } catch (DbJobsException e) {
      throw abort(e.code(), sourceName + " failed: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw abort(ErrorCode.CANCELLED, "the sending job was interrupted", e);
    } catch (IOException | RuntimeException e) {
      throw abort(ErrorCode.TOOL_FAILED, sourceName + " failed: " + DbJobsException.describe(e), e);
    }
    if (meta == null) {
      return Map.of();
    }
    for (Map.Entry<String, String> en : new HashMap<>(meta).entrySet()) {
      if (en.getKey() == null || en.getValue() == null) {
        throw abort(
            ErrorCode.BAD_PARAMETER,
            "trailer metadata has a null key or value (key " + en.getKey() + ")",
            null);
      }
    }
    return Map.copyOf(meta);
  }

  private byte[] metaJson(Map<String, String> meta) {
    byte[] json = WireCodec.metaJson(meta);
    if (json.length > MAX_META_JSON_BYTES) {
      throw abort(
          ErrorCode.BAD_PARAMETER,
          "trailer metadata is "
              + json.length
              + " bytes of JSON; at most "
              + MAX_META_JSON_BYTES
              + " fit in a trailer",
          null);
    }
    return json;
  }

  /** Writes one DATA payload once the channel can take it; owns {@code payload}. */
  private void writeData(ByteBuf payload) {
    try {
      awaitWritable();
    } catch (RuntimeException e) {
      payload.release();
      throw e;
    }
    int n = payload.readableBytes();
    channel.writeAndFlush(new Data(payload)).addListener(this::onWriteDone);
    wireBytes += n;
  }

  private void awaitWritable() {
    checkEvents("sending data");
    if (channel.isWritable()) {
      return;
    }
    long idleNanos = options.idleTimeout().toNanos();
    long idleDeadline = System.nanoTime() + idleNanos;
    while (!channel.isWritable()) {
      long now = System.nanoTime();
      checkDeadline();
      if (now - idleDeadline >= 0) {
        throw abort(
            ErrorCode.STREAM_TIMEOUT,
            "the receiver took no bytes for "
                + Durations.human(options.idleTimeout())
                + " (idle timeout)",
            null);
      }
      Object e;
      try {
        e = handler.events().poll(Math.min(idleDeadline, jobDeadline) - now, TimeUnit.NANOSECONDS);
      } catch (InterruptedException ie) {
        Thread.currentThread().interrupt();
        throw abort(ErrorCode.CANCELLED, "the sending job was interrupted", ie);
      }
      if (e != null) {
        handleEvent(e, "sending data");
      }
    }
  }

  private void checkDeadline() {
    if (System.nanoTime() - jobDeadline >= 0) {
      throw abort(
          ErrorCode.STREAM_TIMEOUT,
          "not done within the job timeout of " + Durations.human(options.jobTimeout()),
          null);
    }
  }

  // ---- verdict ----

  private String awaitVerdict(byte[] digest) throws InterruptedException {
    long idleNanos = options.idleTimeout().toNanos();
    while (true) {
      long now = System.nanoTime();
      long idleDeadline = Math.max(handler.lastHeardNanos(), trailerNanos) + idleNanos;
      if (now - jobDeadline >= 0) {
        throw new DbJobsException(
            ErrorCode.STREAM_TIMEOUT,
            "stream "
                + target.streamId()
                + " to "
                + target.address()
                + ": no ACK within the job timeout of "
                + Durations.human(options.jobTimeout())
                + " ("
                + Sizes.human(bytes)
                + " sent); the receiver's outcome is unknown");
      }
      if (now - idleDeadline >= 0) {
        throw new DbJobsException(
            ErrorCode.STREAM_TIMEOUT,
            "stream "
                + target.streamId()
                + " to "
                + target.address()
                + ": the receiver sent neither ACK nor keepalive for "
                + Durations.human(options.idleTimeout())
                + " after the trailer ("
                + Sizes.human(bytes)
                + " sent); its outcome is unknown");
      }
      Object e =
          handler.events().poll(Math.min(idleDeadline, jobDeadline) - now, TimeUnit.NANOSECONDS);
      if (e == null || e == SenderHandler.WRITABLE) {
        continue;
      }
      if (e instanceof Ack a) {
        if (!SessionKeys.matches(keys.ackMac(bytes, digest, a.message()), a.mac())) {
          throw new DbJobsException(
              ErrorCode.STREAM_AUTH_FAILED,
              "the ACK for stream "
                  + target.streamId()
                  + " from "
                  + target.address()
                  + " failed authentication; the receiver's outcome is unknown");
        }
        return a.message();
      }
      handleEvent(e, "waiting for the ACK");
    }
  }

  // ---- events and failures ----

  private <T> T awaitMessage(Class<T> type, long deadline, String what)
      throws InterruptedException {
    while (true) {
      long wait = deadline - System.nanoTime();
      if (wait <= 0) {
        throw new DbJobsException(
            ErrorCode.STREAM_TIMEOUT,
            "listener at "
                + target.address()
                + " sent no "
                + what
                + " for stream "
                + target.streamId()
                + " within the handshake timeout of "
                + Durations.human(options.handshakeTimeout()));
      }
      Object e = handler.events().poll(wait, TimeUnit.NANOSECONDS);
      if (e == null) {
        continue;
      }
      if (type.isInstance(e)) {
        return type.cast(e);
      }
      handleEvent(e, "waiting for " + what);
    }
  }

  private void checkEvents(String during) {
    Object e;
    while ((e = handler.events().poll()) != null) {
      handleEvent(e, during);
    }
  }

  private void handleEvent(Object e, String during) {
    if (e == SenderHandler.WRITABLE) {
      return;
    }
    if (e == SenderHandler.CLOSED) {
      throw closed();
    }
    if (e instanceof SenderHandler.Failed f) {
      throw channelFailure(f.cause());
    }
    if (e instanceof Refusal r) {
      throw new DbJobsException(
          codeOf(r.code()),
          "receiver at "
              + target.address()
              + " refused stream "
              + target.streamId()
              + (accepted ? " " + where() : "")
              + ": "
              + r.message());
    }
    if (e instanceof Nack n) {
      throw new DbJobsException(
          codeOf(n.code()),
          "receiver at "
              + target.address()
              + " rejected stream "
              + target.streamId()
              + " ("
              + Sizes.human(bytes)
              + " sent): "
              + n.message());
    }
    throw WireCodec.protocol(
        "listener at "
            + target.address()
            + " sent an unexpected "
            + ((WireMessage) e).type()
            + " frame while "
            + during
            + " (stream "
            + target.streamId()
            + ")");
  }

  private DbJobsException closed() {
    if (!accepted) {
      return new DbJobsException(
          ErrorCode.STREAM_CUT,
          "listener at "
              + target.address()
              + " closed the connection during the handshake for stream "
              + target.streamId()
              + " (is it a dbjobs listener? TLS on both ends or neither?)");
    }
    if (trailerSent) {
      return new DbJobsException(
          ErrorCode.STREAM_CUT,
          "connection to "
              + target.address()
              + " closed after the trailer of stream "
              + target.streamId()
              + ", before an ACK ("
              + Sizes.human(bytes)
              + " sent): the receiver's outcome is unknown");
    }
    return new DbJobsException(
        ErrorCode.STREAM_CUT,
        "stream "
            + target.streamId()
            + " to "
            + target.address()
            + " cut "
            + where()
            + ": the connection closed");
  }

  private DbJobsException channelFailure(Throwable t) {
    Throwable c = t instanceof DecoderException && t.getCause() != null ? t.getCause() : t;
    if (c instanceof SSLException || c instanceof NotSslRecordException) {
      return tlsFailure(c);
    }
    if (c instanceof DbJobsException d) {
      return new DbJobsException(
          d.code(), "listener at " + target.address() + ": " + d.getMessage(), d);
    }
    if (c instanceof ClosedChannelException) {
      // a write failed because the channel closed: the close itself is the news
      DbJobsException base = closed();
      return new DbJobsException(base.code(), base.getMessage(), c);
    }
    if (c instanceof IOException) {
      if (!accepted || trailerSent) {
        DbJobsException base = closed();
        return new DbJobsException(
            base.code(), base.getMessage() + ": " + DbJobsException.describe(c), c);
      }
      return new DbJobsException(
          ErrorCode.STREAM_CUT,
          "stream "
              + target.streamId()
              + " to "
              + target.address()
              + " cut "
              + where()
              + ": "
              + DbJobsException.describe(c),
          c);
    }
    return new DbJobsException(
        ErrorCode.INTERNAL,
        "stream "
            + target.streamId()
            + " to "
            + target.address()
            + ": unexpected error "
            + DbJobsException.describe(c),
        c);
  }

  private DbJobsException tlsFailure(Throwable c) {
    return new DbJobsException(
        ErrorCode.STREAM_AUTH_FAILED,
        "TLS with "
            + target.address()
            + " failed for stream "
            + target.streamId()
            + ": "
            + TlsHints.forSender(c),
        c);
  }

  /**
   * A failure on this side: tells the receiver with ABORT (when data may already have flowed and
   * the trailer is not sent) so it discards what it got, then returns the exception to throw.
   */
  private DbJobsException abort(ErrorCode code, String reason, Throwable cause) {
    if (channel != null && channel.isActive() && accepted && !trailerSent) {
      // a receiver that takes no bytes will not read the ABORT either: do not wait long for it
      long wait = channel.isWritable() ? ABORT_FLUSH_MILLIS : ABORT_FLUSH_MILLIS / 20;
      channel.writeAndFlush(new Abort(code.name(), reason)).awaitUninterruptibly(wait);
    }
    String message =
        "stream "
            + target.streamId()
            + " to "
            + target.address()
            + " aborted "
            + where()
            + ": "
            + reason;
    return cause == null
        ? new DbJobsException(code, message)
        : new DbJobsException(code, message, cause);
  }

  private void onWriteDone(Future<? super Void> f) {
    if (!f.isSuccess() && f.cause() != null) {
      handler.events().add(new SenderHandler.Failed(f.cause()));
    }
  }

  private String where() {
    return "after "
        + Sizes.human(bytes)
        + (sizeHint >= 0 ? " of " + Sizes.human(sizeHint) : "")
        + ", "
        + Durations.human(Duration.ofNanos(System.nanoTime() - startNanos))
        + " in";
  }

  private static ErrorCode codeOf(String code) {
    ErrorCode c = ErrorCode.fromRow(code);
    return c == null ? ErrorCode.INTERNAL : c;
  }

  private void closeQuietly(OutputStream out) {
    try {
      out.close();
    } catch (IOException | RuntimeException e) {
      LOG.debug(
          "stream {}: closing the compressor after a failure failed: {}",
          target.streamId(),
          e.toString());
    }
  }
}
