package io.dbjobs.common.stream;

import static io.dbjobs.common.stream.StreamRejectionTest.code;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.stream.WireMessage.Nack;
import io.dbjobs.common.stream.WireMessage.Refusal;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Authenticated streams that go wrong: each ends with a specific error on both sides, the sink
 * aborted, and nothing left behind by a {@link FileSink}.
 */
class StreamFailureTest extends StreamFixture {
  @TempDir Path dir;

  @Test
  void abortsSinkAndReportsCutWhenTheConnectionDiesMidStream() throws Exception {
    StreamListener listener = listener(fast());
    String secret = StreamSecret.mint();
    Path file = dir.resolve("backup.xb");
    ExpectedStream expected = listener.expect("cut", secret, FileSink.to(file));

    try (CuttingProxy proxy = new CuttingProxy(listener.port(), 3 << 20)) {
      StreamTarget viaProxy = new StreamTarget(HOST, proxy.port(), "cut", secret);
      assertThatThrownBy(
              () ->
                  sender.send(
                      viaProxy,
                      GeneratedInput.random(64 << 20, 1),
                      64 << 20,
                      SourceCompletion.none(),
                      fast(),
                      ProgressListener.NONE))
          .satisfies(e -> assertThat(code(e)).isEqualTo(ErrorCode.STREAM_CUT))
          .hasMessageMatching(
              "stream cut to 127\\.0\\.0\\.1:\\d+ cut after .* of 64\\.0 MiB, .* in: (the connection closed|IOException: .*)");
    }

    assertFailsWith(expected, ErrorCode.STREAM_CUT, "stream cut from 127.0.0.1:");
    assertThat(file).doesNotExist();
    assertThat(FileSink.partialOf(file)).doesNotExist();
  }

  @Test
  void abortsSinkWhenTheSenderDiesMidStream() throws Exception {
    StreamListener listener = listener(fast());
    String secret = StreamSecret.mint();
    RecordingSink sink = new RecordingSink();
    ExpectedStream expected = listener.expect("dies", secret, sink);

    try (RawClient c = new RawClient(listener.port())) {
      c.authenticate("dies", secret);
      c.sendData(new byte[100_000]);
    }

    assertFailsWith(expected, ErrorCode.STREAM_CUT, "cut after");
    assertThat(sink.aborted.get(5, TimeUnit.SECONDS)).contains("before the trailer");
    assertThat(sink.finished).isNotDone();
  }

  @Test
  void rejectsCorruptedDataWithDigestMismatchAndKeepsNothing() throws Exception {
    StreamListener listener = listener(fast());
    String secret = StreamSecret.mint();
    Path file = dir.resolve("dump.sql");
    ExpectedStream expected = listener.expect("flip", secret, FileSink.to(file));
    byte[] payload = new byte[300_000];
    new Random(3).nextBytes(payload);
    byte[] sha = RawClient.sha256(payload);

    WireMessage verdict;
    try (RawClient c = new RawClient(listener.port())) {
      c.authenticate("flip", secret);
      payload[123_456] ^= 0x01;
      c.sendData(payload);
      c.sendTrailer(payload.length, sha, Map.of());
      verdict = c.readUntilClosed(WAIT);
    }

    assertThat(verdict).isInstanceOf(Nack.class);
    assertThat(((Nack) verdict).code()).isEqualTo("DIGEST_MISMATCH");
    assertFailsWith(
        expected,
        ErrorCode.DIGEST_MISMATCH,
        "received 300000 bytes with SHA-256 "
            + RawClient.hex(RawClient.sha256(payload))
            + ", the sender sent 300000 bytes with SHA-256 "
            + RawClient.hex(sha));
    assertThat(file).doesNotExist();
    assertThat(FileSink.partialOf(file)).doesNotExist();
  }

  @Test
  void rejectsTrailerClaimingOtherByteCount() throws Exception {
    StreamListener listener = listener(fast());
    String secret = StreamSecret.mint();
    RecordingSink sink = new RecordingSink();
    ExpectedStream expected = listener.expect("short", secret, sink);
    byte[] payload = new byte[1000];

    try (RawClient c = new RawClient(listener.port())) {
      c.authenticate("short", secret);
      c.sendData(payload);
      c.sendTrailer(2000, RawClient.sha256(payload), Map.of());
      assertThat(((Nack) c.readUntilClosed(WAIT)).code()).isEqualTo("DIGEST_MISMATCH");
    }

    assertFailsWith(expected, ErrorCode.DIGEST_MISMATCH, "the sender sent 2000 bytes");
    assertThat(sink.aborted).isDone();
  }

  @Test
  void rejectsTrailerWithoutValidMac() throws Exception {
    StreamListener listener = listener(fast());
    String secret = StreamSecret.mint();
    RecordingSink sink = new RecordingSink();
    ExpectedStream expected = listener.expect("mac", secret, sink);
    byte[] payload = new byte[1000];
    byte[] sha = RawClient.sha256(payload);

    try (RawClient c = new RawClient(listener.port())) {
      c.authenticate("mac", secret);
      c.sendData(payload);
      byte[] json = WireCodec.metaJson(Map.of());
      c.send(new WireMessage.Trailer(1000, sha, json, Map.of(), new byte[32]));
      assertThat(((Nack) c.readUntilClosed(WAIT)).code()).isEqualTo("STREAM_AUTH_FAILED");
    }

    assertFailsWith(expected, ErrorCode.STREAM_AUTH_FAILED, "failed authentication");
    assertThat(sink.finished).isNotDone();
  }

  @Test
  void abortsSinkWhenTheSourceFailsAfterEof() throws Exception {
    StreamListener listener = listener(fast());
    String secret = StreamSecret.mint();
    RecordingSink sink = new RecordingSink();
    ExpectedStream expected = listener.expect("src", secret, sink);
    SourceCompletion toolFailed =
        () -> {
          throw new DbJobsException(
              ErrorCode.TOOL_FAILED, "mariadb-backup exited 1, last stderr: InnoDB: log corrupt");
        };

    assertThatThrownBy(
            () ->
                sender.send(
                    target(listener, "src", secret),
                    GeneratedInput.random(2 << 20, 4),
                    toolFailed,
                    fast(),
                    ProgressListener.NONE))
        .satisfies(e -> assertThat(code(e)).isEqualTo(ErrorCode.TOOL_FAILED))
        .hasMessageContaining("stream src to 127.0.0.1:")
        .hasMessageContaining("aborted after 2.0 MiB")
        .hasMessageContaining("mariadb-backup exited 1, last stderr: InnoDB: log corrupt");

    assertFailsWith(expected, ErrorCode.TOOL_FAILED, "aborted stream src after 2.0 MiB");
    assertThat(sink.aborted.get(5, TimeUnit.SECONDS)).contains("mariadb-backup exited 1");
    assertThat(sink.finished).isNotDone();
  }

  @Test
  void abortsSinkWhenReadingTheSourceFails() throws Exception {
    StreamListener listener = listener(fast());
    String secret = StreamSecret.mint();
    RecordingSink sink = new RecordingSink();
    ExpectedStream expected = listener.expect("src", secret, sink);
    GatedInput source = new GatedInput(GeneratedInput.random(8 << 20, 4), 1 << 20);
    source.fail("Input/output error");

    assertThatThrownBy(
            () ->
                sender.send(
                    target(listener, "src", secret),
                    source,
                    SourceCompletion.none(),
                    fast().withCompression(Compression.ZSTD),
                    ProgressListener.NONE))
        .satisfies(e -> assertThat(code(e)).isEqualTo(ErrorCode.TOOL_FAILED))
        .hasMessageContaining("reading the source failed: IOException: Input/output error");

    assertFailsWith(expected, ErrorCode.TOOL_FAILED, "Input/output error");
    assertThat(sink.aborted).isDone();
  }

  @Test
  void reportsSinkFinishFailureToTheSenderAsNack() throws Exception {
    StreamListener listener = listener(fast());
    String secret = StreamSecret.mint();
    RecordingSink sink = new RecordingSink().failFinishWith("mbstream exited 2: bad header");
    ExpectedStream expected = listener.expect("nack", secret, sink);

    assertThatThrownBy(
            () ->
                sender.send(
                    target(listener, "nack", secret),
                    GeneratedInput.random(1 << 20, 4),
                    SourceCompletion.none(),
                    fast(),
                    ProgressListener.NONE))
        .satisfies(e -> assertThat(code(e)).isEqualTo(ErrorCode.SINK_FAILED))
        .hasMessageContaining("rejected stream nack")
        .hasMessageContaining("mbstream exited 2: bad header");

    assertFailsWith(expected, ErrorCode.SINK_FAILED, "mbstream exited 2: bad header");
    assertThat(sink.aborted).isDone();
  }

  @Test
  void reportsSinkWriteFailureToTheSenderMidStream() throws Exception {
    StreamListener listener = listener(fast());
    String secret = StreamSecret.mint();
    RecordingSink sink = new RecordingSink().failWriteAfter(1 << 20);
    ExpectedStream expected = listener.expect("full", secret, sink);

    assertThatThrownBy(
            () ->
                sender.send(
                    target(listener, "full", secret),
                    GeneratedInput.random(256 << 20, 4),
                    SourceCompletion.none(),
                    fast(),
                    ProgressListener.NONE))
        .satisfies(e -> assertThat(code(e)).isEqualTo(ErrorCode.SINK_FAILED))
        .hasMessageContaining("refused stream full after")
        .hasMessageContaining("No space left on device");

    assertFailsWith(expected, ErrorCode.SINK_FAILED, "No space left on device");
    assertThat(sink.aborted).isDone();
  }

  @Test
  void reportsSinkOpenFailureBeforeAnyDataIsSent() throws Exception {
    StreamListener listener = listener(fast());
    String secret = StreamSecret.mint();
    RecordingSink sink = new RecordingSink().failOpenWith("cannot start mbstream: not found");
    ExpectedStream expected = listener.expect("open", secret, sink);
    GeneratedInput source = GeneratedInput.random(1 << 20, 4);

    assertThatThrownBy(
            () ->
                sender.send(
                    target(listener, "open", secret),
                    source,
                    SourceCompletion.none(),
                    fast(),
                    ProgressListener.NONE))
        .satisfies(e -> assertThat(code(e)).isEqualTo(ErrorCode.SINK_FAILED))
        .hasMessageContaining("cannot start mbstream: not found");

    assertThat(source.consumed()).isZero();
    assertFailsWith(expected, ErrorCode.SINK_FAILED, "cannot open the sink of stream open");
  }

  @Test
  void receiverTimesOutASenderThatGoesQuiet() throws Exception {
    StreamListener listener = listener(fast().withIdleTimeout(Duration.ofMillis(300)));
    String secret = StreamSecret.mint();
    RecordingSink sink = new RecordingSink();
    ExpectedStream expected = listener.expect("quiet", secret, sink);

    try (RawClient c = new RawClient(listener.port())) {
      c.authenticate("quiet", secret);
      c.sendData(new byte[1024]);
      WireMessage last = c.readUntilClosed(WAIT);
      assertThat(((Refusal) last).code()).isEqualTo("STREAM_TIMEOUT");
    }

    assertFailsWith(expected, ErrorCode.STREAM_TIMEOUT, "no bytes for");
    assertThat(sink.aborted).isDone();
  }

  @Test
  void senderLearnsOfTheReceiversIdleTimeoutOnceItsSourceResumes() throws Exception {
    StreamListener listener = listener(fast().withIdleTimeout(Duration.ofMillis(300)));
    String secret = StreamSecret.mint();
    RecordingSink sink = new RecordingSink();
    ExpectedStream expected = listener.expect("quiet", secret, sink);
    GatedInput source = new GatedInput(GeneratedInput.random(4 << 20, 4), 1 << 20);
    CompletableFuture<SendResult> sent =
        sendAsync(
            () ->
                sender.send(
                    target(listener, "quiet", secret),
                    source,
                    SourceCompletion.none(),
                    fast(),
                    ProgressListener.NONE));

    assertFailsWith(expected, ErrorCode.STREAM_TIMEOUT, "idle timeout 300ms");
    source.open();

    assertThatThrownBy(() -> sent.get(20, TimeUnit.SECONDS))
        .cause()
        .satisfies(e -> assertThat(code(e)).isEqualTo(ErrorCode.STREAM_TIMEOUT))
        .hasMessageContaining("no bytes for");
  }

  @Test
  void senderTimesOutAReceiverThatStopsTakingBytes() throws Exception {
    StreamListener listener = listener(fast());
    String secret = StreamSecret.mint();
    RecordingSink sink = new RecordingSink().blockAfter(0);
    ExpectedStream expected = listener.expect("stuck", secret, sink);

    assertThatThrownBy(
            () ->
                sender.send(
                    target(listener, "stuck", secret),
                    GeneratedInput.random(1L << 30, 4),
                    SourceCompletion.none(),
                    fast().withIdleTimeout(Duration.ofMillis(500)),
                    ProgressListener.NONE))
        .satisfies(e -> assertThat(code(e)).isEqualTo(ErrorCode.STREAM_TIMEOUT))
        .hasMessageContaining("the receiver took no bytes for 500ms (idle timeout)");

    // the receiver is not reading, so the ABORT cannot reach it: it sees the connection close
    sink.release();
    assertFailsWith(expected, ErrorCode.STREAM_CUT, "the connection closed before the trailer");
    assertThat(sink.aborted).isDone();
  }

  @Test
  void receiverTimesOutASinkThatStopsTakingBytes() throws Exception {
    StreamListener listener = listener(fast().withIdleTimeout(Duration.ofMillis(300)));
    String secret = StreamSecret.mint();
    RecordingSink sink = new RecordingSink().blockAfter(1 << 20);
    ExpectedStream expected = listener.expect("hung", secret, sink);

    assertThatThrownBy(
            () ->
                sender.send(
                    target(listener, "hung", secret),
                    GeneratedInput.random(1L << 30, 4),
                    SourceCompletion.none(),
                    fast(),
                    ProgressListener.NONE))
        .satisfies(e -> assertThat(code(e)).isEqualTo(ErrorCode.STREAM_TIMEOUT))
        .hasMessageContaining("refused stream hung")
        .hasMessageContaining("the sink took no bytes for");

    assertFailsWith(expected, ErrorCode.STREAM_TIMEOUT, "the sink took no bytes for");
    assertThat(sink.aborted).isDone();
  }

  @Test
  void listenerEndsAStreamThatExceedsTheJobTimeout() throws Exception {
    StreamListener listener = listener(fast().withJobTimeout(Duration.ofMillis(700)));
    String secret = StreamSecret.mint();
    RecordingSink sink = new RecordingSink();
    ExpectedStream expected = listener.expect("long", secret, sink);
    GatedInput source = new GatedInput(GeneratedInput.random(4 << 20, 4), 1 << 20);
    CompletableFuture<SendResult> sent =
        sendAsync(
            () ->
                sender.send(
                    target(listener, "long", secret),
                    source,
                    SourceCompletion.none(),
                    fast(),
                    ProgressListener.NONE));

    assertFailsWith(
        expected, ErrorCode.STREAM_TIMEOUT, "did not finish within the job timeout of 700ms");
    source.open();
    assertThatThrownBy(() -> sent.get(20, TimeUnit.SECONDS))
        .cause()
        .satisfies(e -> assertThat(code(e)).isEqualTo(ErrorCode.STREAM_TIMEOUT));
    assertThat(sink.aborted).isDone();
  }

  @Test
  void senderEndsAStreamThatExceedsTheJobTimeout() throws Exception {
    StreamListener listener = listener(fast());
    String secret = StreamSecret.mint();
    RecordingSink sink = new RecordingSink().blockAfter(0);
    ExpectedStream expected = listener.expect("long", secret, sink);

    assertThatThrownBy(
            () ->
                sender.send(
                    target(listener, "long", secret),
                    GeneratedInput.random(1L << 30, 4),
                    SourceCompletion.none(),
                    fast().withJobTimeout(Duration.ofMillis(700)),
                    ProgressListener.NONE))
        .satisfies(e -> assertThat(code(e)).isEqualTo(ErrorCode.STREAM_TIMEOUT))
        .hasMessageContaining("not done within the job timeout of 700ms");

    sink.release();
    assertFailsWith(expected, ErrorCode.STREAM_CUT, "the connection closed before the trailer");
  }

  @Test
  void cancellingAStreamInProgressAbortsItsSinkAndTellsTheSender() throws Exception {
    StreamListener listener = listener(fast());
    String secret = StreamSecret.mint();
    RecordingSink sink = new RecordingSink();
    ExpectedStream expected = listener.expect("cancel", secret, sink);
    GatedInput source = new GatedInput(GeneratedInput.random(4 << 20, 4), 1 << 20);
    CompletableFuture<SendResult> sent =
        sendAsync(
            () ->
                sender.send(
                    target(listener, "cancel", secret),
                    source,
                    SourceCompletion.none(),
                    fast(),
                    ProgressListener.NONE));
    source.reachedGate.get(20, TimeUnit.SECONDS);

    assertThat(expected.cancel()).isTrue();

    assertFailsWith(expected, ErrorCode.CANCELLED, "cancelled by the receiver");
    assertThat(sink.aborted).isDone();
    source.open();
    assertThatThrownBy(() -> sent.get(20, TimeUnit.SECONDS))
        .cause()
        .satisfies(e -> assertThat(code(e)).isEqualTo(ErrorCode.CANCELLED))
        .hasMessageContaining("cancelled by the receiver");
    assertThat(expected.cancel()).isFalse();
  }

  @Test
  void cancellingAWaitingStreamFailsItAtOnce() throws Exception {
    StreamListener listener = listener(fast());
    RecordingSink sink = new RecordingSink();
    ExpectedStream expected = listener.expect("idle", StreamSecret.mint(), sink);

    assertThat(expected.cancel()).isTrue();

    assertFailsWith(expected, ErrorCode.CANCELLED, "stream idle on 127.0.0.1:");
    assertThat(sink.opens.get()).isZero();
    // the id is free again
    assertThat(listener.expect("idle", StreamSecret.mint(), sink).result()).isNotDone();
  }

  @Test
  void cancellingTheResultFutureCancelsTheStream() throws Exception {
    StreamListener listener = listener(fast());
    String secret = StreamSecret.mint();
    ExpectedStream expected = listener.expect("idle", secret, new RecordingSink());

    expected.result().cancel(false);

    assertThat(expected.cancel()).isFalse();
    assertThatThrownBy(() -> send(listener, "idle", secret))
        .satisfies(e -> assertThat(code(e)).isEqualTo(ErrorCode.STREAM_PROTOCOL))
        .hasMessageContaining("stream idle failed; a stream is accepted once");
  }

  @Test
  void closingTheListenerAbortsStreamsInProgress() throws Exception {
    StreamListener listener = listener(fast());
    String secret = StreamSecret.mint();
    RecordingSink sink = new RecordingSink();
    ExpectedStream expected = listener.expect("closing", secret, sink);
    GatedInput source = new GatedInput(GeneratedInput.random(4 << 20, 4), 1 << 20);
    CompletableFuture<SendResult> sent =
        sendAsync(
            () ->
                sender.send(
                    target(listener, "closing", secret),
                    source,
                    SourceCompletion.none(),
                    fast(),
                    ProgressListener.NONE));
    source.reachedGate.get(20, TimeUnit.SECONDS);

    listener.close();

    assertThat(sink.aborted).isDone();
    assertFailsWith(expected, ErrorCode.CANCELLED, "closed before stream closing was received");
    source.open();
    assertThatThrownBy(() -> sent.get(20, TimeUnit.SECONDS))
        .cause()
        .isInstanceOf(DbJobsException.class);
  }

  @Test
  void interruptingTheSenderAbortsTheStream() throws Exception {
    StreamListener listener = listener(fast());
    String secret = StreamSecret.mint();
    RecordingSink sink = new RecordingSink();
    ExpectedStream expected = listener.expect("intr", secret, sink);
    GatedInput source = new GatedInput(GeneratedInput.random(4 << 20, 4), 1 << 20);
    CompletableFuture<Thread> senderThread = new CompletableFuture<>();
    CompletableFuture<SendResult> sent =
        sendAsync(
            () -> {
              senderThread.complete(Thread.currentThread());
              return sender.send(
                  target(listener, "intr", secret),
                  source,
                  SourceCompletion.none(),
                  fast(),
                  ProgressListener.NONE);
            });
    source.reachedGate.get(20, TimeUnit.SECONDS);

    senderThread.get().interrupt();

    assertThatThrownBy(() -> sent.get(20, TimeUnit.SECONDS))
        .cause()
        .satisfies(e -> assertThat(code(e)).isEqualTo(ErrorCode.CANCELLED))
        .hasMessageContaining("the sending job was interrupted");
    assertFailsWith(expected, ErrorCode.CANCELLED, "the sending job was interrupted");
    assertThat(sink.aborted).isDone();
  }

  @Test
  void reportsUnreachableListener() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = s.getLocalPort();
    }
    StreamTarget nowhere = new StreamTarget(HOST, closedPort, "x", StreamSecret.mint());

    assertThatThrownBy(
            () ->
                sender.send(
                    nowhere,
                    GeneratedInput.random(10, 1),
                    SourceCompletion.none(),
                    fast(),
                    ProgressListener.NONE))
        .satisfies(e -> assertThat(code(e)).isEqualTo(ErrorCode.NODE_UNREACHABLE))
        .hasMessageContaining("cannot connect to 127.0.0.1:" + closedPort + " to send stream x")
        .hasMessageContaining("Connection refused");
  }

  @Test
  void reportsConnectTimeoutWhenNoConnectionCanBeMade() throws Exception {
    // a listener that never accepts, its backlog full: the kernel drops further SYNs
    try (ServerSocket full = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      List<Socket> fillers = new ArrayList<>();
      try {
        for (int i = 0; i < 4; i++) {
          Socket s = new Socket();
          try {
            s.connect(full.getLocalSocketAddress(), 200);
            fillers.add(s);
          } catch (IOException e) {
            s.close();
            break;
          }
        }
        StreamTarget black = new StreamTarget(HOST, full.getLocalPort(), "x", StreamSecret.mint());

        assertThatThrownBy(
                () ->
                    sender.send(
                        black,
                        GeneratedInput.random(10, 1),
                        SourceCompletion.none(),
                        fast().withConnectTimeout(Duration.ofMillis(300)),
                        ProgressListener.NONE))
            .satisfies(e -> assertThat(code(e)).isEqualTo(ErrorCode.STREAM_TIMEOUT))
            .hasMessageContaining(
                "could not connect to 127.0.0.1:"
                    + full.getLocalPort()
                    + " within the connect timeout of 300ms to send stream x");
      } finally {
        for (Socket s : fillers) {
          s.close();
        }
      }
    }
  }

  @Test
  void reportsHandshakeTimeoutWhenTheListenerNeverAnswers() throws Exception {
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      CompletableFuture<Socket> accepted =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return silent.accept();
                } catch (IOException e) {
                  throw new IllegalStateException(e);
                }
              });
      StreamTarget mute = new StreamTarget(HOST, silent.getLocalPort(), "x", StreamSecret.mint());

      assertThatThrownBy(
              () ->
                  sender.send(
                      mute,
                      GeneratedInput.random(10, 1),
                      SourceCompletion.none(),
                      fast().withHandshakeTimeout(Duration.ofMillis(300)),
                      ProgressListener.NONE))
          .satisfies(e -> assertThat(code(e)).isEqualTo(ErrorCode.STREAM_TIMEOUT))
          .hasMessageContaining("sent no CHALLENGE for stream x within the handshake timeout");
      accepted.get(5, TimeUnit.SECONDS).close();
    }
  }

  private SendResult send(StreamListener listener, String streamId, String secret) {
    return sender.send(
        target(listener, streamId, secret),
        GeneratedInput.random(1000, 1),
        SourceCompletion.none(),
        fast(),
        ProgressListener.NONE);
  }

  private static void assertFailsWith(ExpectedStream expected, ErrorCode code, String text)
      throws InterruptedException {
    try {
      expected.result().get(WAIT.toSeconds(), TimeUnit.SECONDS);
      throw new AssertionError("stream " + expected.streamId() + " succeeded");
    } catch (ExecutionException e) {
      assertThat(e.getCause()).isInstanceOf(DbJobsException.class);
      assertThat(code(e.getCause())).isEqualTo(code);
      assertThat(e.getCause()).hasMessageContaining(text);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError("stream " + expected.streamId() + " did not end", e);
    }
  }
}
