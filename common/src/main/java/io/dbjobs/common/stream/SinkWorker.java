package io.dbjobs.common.stream;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.stream.WireMessage.Ack;
import io.dbjobs.common.stream.WireMessage.Data;
import io.dbjobs.common.stream.WireMessage.Trailer;
import io.dbjobs.common.time.Durations;
import io.dbjobs.common.units.Sizes;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves one authenticated stream from its {@link HandOff} into its {@link StreamSink}, on a thread
 * of its own: opens the sink, decompresses and hashes DATA, verifies the trailer, finishes the
 * sink, and has the ACK sent. On any failure it aborts the sink first, then has the sender told,
 * then fails the {@link ExpectedStream}. It alone calls the sink, and it alone completes the
 * stream.
 */
final class SinkWorker implements Runnable {
  private static final Logger LOG = LoggerFactory.getLogger(SinkWorker.class);
  private static final int INFLATE_BUFFER = 256 << 10;
  private static final long VERDICT_WRITE_WAIT_SECONDS = 10;

  private final ReceiverConnection conn;
  private final ExpectedStream expected;
  private final StreamHello hello;
  private final SessionKeys keys;
  private final HandOff handOff;
  private final String remote;
  private final String streamId;
  private final MessageDigest sha = SessionKeys.newSha256();
  private long bytes;
  private long wireBytes;
  private ProgressThrottle progress;

  SinkWorker(
      ReceiverConnection conn,
      ExpectedStream expected,
      StreamHello hello,
      SessionKeys keys,
      HandOff handOff,
      String remote) {
    this.conn = conn;
    this.expected = expected;
    this.hello = hello;
    this.keys = keys;
    this.handOff = handOff;
    this.remote = remote;
    this.streamId = hello.streamId();
  }

  @Override
  public void run() {
    long start = conn.claimedNanos();
    progress = new ProgressThrottle(expected.progress(), streamId, hello.sizeHint(), start);
    StreamSink sink = null;
    boolean afterTrailer = false;
    try {
      sink = openSink();
      handOff.throwIfFailed();
      conn.sinkOpened();
      Trailer trailer =
          hello.compression() == Compression.NONE ? copyPlain(sink) : copyInflating(sink);
      afterTrailer = true;
      byte[] digest = verify(trailer);
      handOff.throwIfFailed();
      String hex = HexFormat.of().formatHex(digest);
      String sinkMessage = finishSink(sink, trailer, hex);
      sink = null;
      succeed(trailer, digest, hex, sinkMessage, start);
    } catch (Throwable t) {
      DbJobsException e = failureOf(t);
      if (sink != null) {
        abortSink(sink, e);
      }
      handOff.close();
      awaitQuietly(conn.sendFailure(e, afterTrailer));
      LOG.warn("stream {} failed: {}", streamId, e.getMessage());
      expected.fail(e);
    }
  }

  private StreamSink openSink() throws InterruptedException {
    try {
      StreamSink s = expected.sinks().open(hello);
      if (s == null) {
        throw new DbJobsException(ErrorCode.INTERNAL, "the sink factory returned no sink");
      }
      return s;
    } catch (DbJobsException e) {
      throw new DbJobsException(
          e.code(), "cannot open the sink of stream " + streamId + ": " + e.getMessage(), e);
    } catch (IOException | RuntimeException e) {
      throw new DbJobsException(
          ErrorCode.SINK_FAILED,
          "cannot open the sink of stream " + streamId + ": " + DbJobsException.describe(e),
          e);
    }
  }

  private Trailer copyPlain(StreamSink sink) throws InterruptedException {
    while (true) {
      WireMessage m = handOff.take();
      if (m instanceof Trailer t) {
        return t;
      }
      Data d = (Data) m;
      try {
        ByteBuffer nio = d.content().nioBuffer();
        int n = nio.remaining();
        wireBytes += n;
        conn.consumed(bytes);
        sha.update(nio.duplicate());
        write(sink, nio);
        bytes += n;
      } finally {
        d.release();
      }
      progress.update(bytes);
    }
  }

  private Trailer copyInflating(StreamSink sink) throws InterruptedException {
    HandOffInputStream compressed = new HandOffInputStream(handOff, () -> conn.consumed(bytes));
    InputStream plain = null;
    try {
      plain = hello.compression().decompressing(compressed);
      byte[] buf = new byte[INFLATE_BUFFER];
      while (true) {
        int n = plain.read(buf);
        if (n < 0) {
          break;
        }
        if (n > 0) {
          sha.update(buf, 0, n);
          write(sink, ByteBuffer.wrap(buf, 0, n));
          bytes += n;
          progress.update(bytes);
        }
      }
      Trailer t = compressed.trailerAfterEnd(streamId);
      wireBytes = compressed.wireBytes();
      return t;
    } catch (IOException e) {
      throw new DbJobsException(
          ErrorCode.DIGEST_MISMATCH,
          "stream "
              + streamId
              + " from "
              + remote
              + ": the "
              + hello.compression()
              + " data is corrupt after "
              + Sizes.human(bytes)
              + ": "
              + DbJobsException.describe(e),
          e);
    } finally {
      closeQuietly(plain);
      compressed.close();
    }
  }

  private void write(StreamSink sink, ByteBuffer data) throws InterruptedException {
    try {
      sink.write(data);
    } catch (DbJobsException e) {
      throw new DbJobsException(
          e.code(), "stream " + streamId + " from " + remote + ": " + e.getMessage(), e);
    } catch (IOException | RuntimeException e) {
      throw new DbJobsException(
          ErrorCode.SINK_FAILED,
          "sink of stream "
              + streamId
              + " failed after "
              + Sizes.human(bytes)
              + ": "
              + DbJobsException.describe(e),
          e);
    }
    if (data.hasRemaining()) {
      throw new DbJobsException(
          ErrorCode.SINK_FAILED,
          "sink of stream "
              + streamId
              + " left "
              + data.remaining()
              + " bytes of a write unconsumed (a bug in the sink)");
    }
  }

  /** Checks the trailer's MAC, byte count and digest; returns the digest. */
  private byte[] verify(Trailer t) {
    byte[] mac = keys.trailerMac(t.bytes(), t.sha256(), t.metaJson());
    if (!SessionKeys.matches(mac, t.mac())) {
      throw new DbJobsException(
          ErrorCode.STREAM_AUTH_FAILED,
          "the trailer of stream "
              + streamId
              + " from "
              + remote
              + " failed authentication (altered in transit?); nothing was kept");
    }
    byte[] actual = sha.digest();
    if (t.bytes() != bytes || !MessageDigest.isEqual(actual, t.sha256())) {
      throw new DbJobsException(
          ErrorCode.DIGEST_MISMATCH,
          "stream "
              + streamId
              + " from "
              + remote
              + ": received "
              + bytes
              + " bytes with SHA-256 "
              + HexFormat.of().formatHex(actual)
              + ", the sender sent "
              + t.bytes()
              + " bytes with SHA-256 "
              + HexFormat.of().formatHex(t.sha256())
              + "; the data was corrupted in transit and nothing was kept");
    }
    return actual;
  }

  private String finishSink(StreamSink sink, Trailer t, String hex) throws InterruptedException {
    try {
      String m = sink.finish(t.meta(), bytes, hex);
      return m == null ? "" : m;
    } catch (DbJobsException e) {
      throw new DbJobsException(
          e.code(), "sink of stream " + streamId + " failed to finish: " + e.getMessage(), e);
    } catch (IOException | RuntimeException e) {
      throw new DbJobsException(
          ErrorCode.SINK_FAILED,
          "sink of stream "
              + streamId
              + " failed to finish: "
              + (e.getMessage() != null ? e.getMessage() : DbJobsException.describe(e)),
          e);
    }
  }

  private void succeed(Trailer trailer, byte[] digest, String hex, String sinkMessage, long start) {
    String message = WireCodec.printable(sinkMessage);
    Ack ack = new Ack(keys.ackMac(bytes, digest, message), message);
    Boolean written = awaitQuietly(conn.sendAck(ack));
    Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
    ReceiveResult r =
        new ReceiveResult(
            streamId,
            remote,
            bytes,
            hex,
            trailer.meta(),
            sinkMessage,
            elapsed,
            hello.compression(),
            wireBytes);
    progress.done(bytes);
    LOG.info(
        "stream {} from {} received: {} ({} on the wire), sha256 {}, in {} ({}/s); sink: {}",
        streamId,
        remote,
        Sizes.human(bytes),
        Sizes.human(wireBytes),
        hex,
        Durations.human(elapsed),
        Sizes.human((long) (bytes * 1e9 / Math.max(1, elapsed.toNanos()))),
        message);
    if (!Boolean.TRUE.equals(written)) {
      LOG.warn(
          "stream {} is stored, but its ACK could not be delivered to {}: the sender will report a"
              + " failure",
          streamId,
          remote);
    }
    expected.complete(r);
  }

  private DbJobsException failureOf(Throwable t) {
    DbJobsException recorded = handOff.failure();
    if (recorded != null) {
      return recorded;
    }
    if (t instanceof HandOff.Failed f) {
      return f.error();
    }
    if (t instanceof DbJobsException d) {
      return d;
    }
    if (t instanceof InterruptedException) {
      return new DbJobsException(
          ErrorCode.CANCELLED, "the sink worker of stream " + streamId + " was interrupted", t);
    }
    return new DbJobsException(
        ErrorCode.INTERNAL,
        "the sink worker of stream " + streamId + " failed: " + DbJobsException.describe(t),
        t);
  }

  private void abortSink(StreamSink sink, DbJobsException e) {
    Thread.interrupted();
    try {
      sink.abort(e.getMessage());
    } catch (RuntimeException x) {
      LOG.error(
          "sink of stream {} failed to abort; it may have left data behind: {}",
          streamId,
          DbJobsException.describe(x),
          x);
    }
  }

  private <T> T awaitQuietly(CompletableFuture<T> f) {
    try {
      return f.get(VERDICT_WRITE_WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    } catch (ExecutionException | TimeoutException e) {
      LOG.debug("stream {}: sending the verdict to {} did not complete: {}", streamId, remote, e);
      return null;
    }
  }

  private void closeQuietly(InputStream in) {
    if (in == null) {
      return;
    }
    try {
      in.close();
    } catch (IOException | RuntimeException e) {
      LOG.debug("stream {}: closing the decompressor failed: {}", streamId, e.toString());
    }
  }
}
