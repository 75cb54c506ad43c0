package io.dbjobs.common.stream;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A sink for tests: keeps the first bytes it gets, hashes all of them, and records what happened to
 * it. Behaviours (failing, blocking, slowness) are set before the stream starts.
 */
final class RecordingSink implements StreamSink, SinkFactory {
  private static final int KEEP_BYTES = 1 << 20;

  final CompletableFuture<StreamHello> opened = new CompletableFuture<>();
  final CompletableFuture<String> aborted = new CompletableFuture<>();
  final CompletableFuture<Map<String, String>> finished = new CompletableFuture<>();
  final AtomicInteger opens = new AtomicInteger();
  final AtomicLong written = new AtomicLong();
  private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
  private final MessageDigest sha = SessionKeys.newSha256();

  private volatile String finishFailure;
  private volatile String openFailure;
  private volatile long failWriteAfter = -1;
  private volatile CountDownLatch gate;
  private volatile long gateAfter;
  private volatile long nanosPerMiB;
  final CompletableFuture<Void> blocked = new CompletableFuture<>();

  RecordingSink failFinishWith(String message) {
    this.finishFailure = message;
    return this;
  }

  RecordingSink failOpenWith(String message) {
    this.openFailure = message;
    return this;
  }

  RecordingSink failWriteAfter(long bytes) {
    this.failWriteAfter = bytes;
    return this;
  }

  /** Blocks the first write after {@code bytes} until {@link #release()}. */
  RecordingSink blockAfter(long bytes) {
    this.gateAfter = bytes;
    this.gate = new CountDownLatch(1);
    return this;
  }

  /** Spends about this long per MiB written (a slow disk). */
  RecordingSink slow(long nanosPerMiB) {
    this.nanosPerMiB = nanosPerMiB;
    return this;
  }

  void release() {
    CountDownLatch g = gate;
    if (g != null) {
      g.countDown();
    }
  }

  @Override
  public StreamSink open(StreamHello hello) throws IOException {
    opens.incrementAndGet();
    if (openFailure != null) {
      throw new IOException(openFailure);
    }
    opened.complete(hello);
    return this;
  }

  @Override
  public void write(ByteBuffer data) throws IOException, InterruptedException {
    CountDownLatch g = gate;
    if (g != null && written.get() >= gateAfter) {
      blocked.complete(null);
      g.await();
    }
    int n = data.remaining();
    if (failWriteAfter >= 0 && written.get() + n > failWriteAfter) {
      throw new IOException("No space left on device");
    }
    ByteBuffer copy = data.duplicate();
    sha.update(copy);
    synchronized (kept) {
      if (kept.size() < KEEP_BYTES) {
        byte[] b = new byte[Math.min(n, KEEP_BYTES - kept.size())];
        data.duplicate().get(b);
        kept.write(b, 0, b.length);
      }
    }
    data.position(data.limit());
    written.addAndGet(n);
    long pause = nanosPerMiB * n / (1 << 20);
    if (pause > 0) {
      LockSupport.parkNanos(pause);
    }
  }

  @Override
  public String finish(Map<String, String> meta, long bytes, String sha256Hex) {
    if (finishFailure != null) {
      throw new DbJobsException(ErrorCode.SINK_FAILED, finishFailure);
    }
    String own = HexFormat.of().formatHex(sha.digest());
    if (!own.equals(sha256Hex)) {
      throw new IllegalStateException("sink saw " + own + " but was told " + sha256Hex);
    }
    finished.complete(meta);
    return "stored " + bytes + " bytes";
  }

  @Override
  public void abort(String reason) {
    aborted.complete(reason);
  }

  byte[] keptBytes() {
    synchronized (kept) {
      return kept.toByteArray();
    }
  }
}
