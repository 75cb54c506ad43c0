package io.dbjobs.common.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.stream.WireMessage.Challenge;
import io.dbjobs.common.stream.WireMessage.Proof;
import io.dbjobs.common.stream.WireMessage.Refusal;
import io.dbjobs.testkit.LogCapture;
import io.dbjobs.testkit.Waits;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Peers that do not prove the secret: each is closed with a WARN naming its address and the reason,
 * no sink is opened, and the expected stream keeps waiting for a proper sender.
 */
class StreamRejectionTest extends StreamFixture {
  private static final Duration SHORT_HANDSHAKE = Duration.ofMillis(500);

  private LogCapture logs;
  private StreamListener listener;
  private String secret;
  private RecordingSink sink;
  private ExpectedStream expected;

  @BeforeEach
  void expectAStream() {
    logs = LogCapture.start();
    listener = listener(fast().withHandshakeTimeout(SHORT_HANDSHAKE));
    secret = StreamSecret.mint();
    sink = new RecordingSink();
    expected = listener.expect("db1:7", secret, sink);
  }

  @AfterEach
  void stopCapturing() {
    logs.close();
  }

  @Test
  void rejectsStreamWithWrongSecret() {
    String wrong = StreamSecret.mint();

    assertThatThrownBy(() -> send("db1:7", wrong))
        .isInstanceOf(DbJobsException.class)
        .satisfies(e -> assertThat(code(e)).isEqualTo(ErrorCode.STREAM_AUTH_FAILED))
        .hasMessageContaining("could not prove it knows the secret of stream db1:7")
        .hasMessageContaining("no data was sent");

    waitForWarn("gave up on stream db1:7");
    assertStillWaitingAndUntouched();
    assertProperSenderStillSucceeds();
  }

  @Test
  void rejectsProofFromClientWithoutTheSecret() throws Exception {
    try (RawClient c = new RawClient(listener.port())) {
      c.helloAndChallenge("db1:7");
      c.send(new Proof(new byte[32]));

      WireMessage last = c.readUntilClosed(WAIT);

      assertThat(last).isInstanceOf(Refusal.class);
      assertThat(((Refusal) last).code()).isEqualTo("STREAM_AUTH_FAILED");
      assertThat(((Refusal) last).message()).isEqualTo("authentication failed for stream db1:7");
    }
    waitForWarn("wrong proof for stream db1:7");
    assertThat(logs.linesContaining("WARN").toString()).contains("127.0.0.1:");
    assertStillWaitingAndUntouched();
    assertProperSenderStillSucceeds();
  }

  @Test
  void closesConnectionThatNeverProvesItsSecret() throws Exception {
    try (RawClient c = new RawClient(listener.port())) {
      Challenge challenge = c.helloAndChallenge("db1:7");
      assertThat(challenge.serverNonce()).hasSize(32);

      WireMessage last = c.readUntilClosed(WAIT);

      assertThat(((Refusal) last).code()).isEqualTo("STREAM_TIMEOUT");
    }
    waitForWarn("no proof for stream db1:7 within the handshake timeout of 500ms");
    assertStillWaitingAndUntouched();
  }

  @Test
  void closesConnectionThatSendsNothing() throws Exception {
    try (RawClient c = new RawClient(listener.port())) {
      WireMessage last = c.readUntilClosed(WAIT);

      assertThat(((Refusal) last).message()).contains("no HELLO within the handshake timeout");
    }
    waitForWarn("no HELLO within the handshake timeout");
    assertStillWaitingAndUntouched();
  }

  @Test
  void rejectsAnHttpRequest() throws Exception {
    try (RawClient c = new RawClient(listener.port())) {
      c.sendRaw("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));

      WireMessage last = c.readUntilClosed(WAIT);

      assertThat(((Refusal) last).code()).isEqualTo("STREAM_PROTOCOL");
    }
    waitForWarn("the peer speaks HTTP");
    assertStillWaitingAndUntouched();
  }

  @Test
  void rejectsRandomBytes() throws Exception {
    Random random = new Random(1234);
    for (int i = 0; i < 5; i++) {
      byte[] garbage = new byte[4096];
      random.nextBytes(garbage);
      try (RawClient c = new RawClient(listener.port())) {
        c.sendRaw(garbage);
        c.readUntilClosed(WAIT);
      }
    }
    Waits.until(
        "five WARNs about closed connections",
        WAIT,
        () ->
            logs.linesContaining("WARN").stream().filter(l -> l.contains("closing")).count() >= 5);
    assertStillWaitingAndUntouched();
    assertProperSenderStillSucceeds();
  }

  @Test
  void rejectsOversizedFrame() throws Exception {
    try (RawClient c = new RawClient(listener.port())) {
      c.sendRaw(new byte[] {0x01, 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff});

      WireMessage last = c.readUntilClosed(WAIT);

      assertThat(((Refusal) last).message())
          .isEqualTo("HELLO frame of 2147483647 bytes exceeds the maximum of 176 bytes");
    }
    waitForWarn("exceeds the maximum");
    assertStillWaitingAndUntouched();
  }

  @Test
  void rejectsDataBeforeAuthentication() throws Exception {
    try (RawClient c = new RawClient(listener.port())) {
      c.hello("db1:7");
      c.read();
      c.sendData("sneaky".getBytes(StandardCharsets.US_ASCII));

      WireMessage last = c.readUntilClosed(WAIT);

      assertThat(((Refusal) last).message()).isEqualTo("DATA frame before the stream was accepted");
    }
    assertStillWaitingAndUntouched();
  }

  @Test
  void rejectsHelloWithBadMagic() throws Exception {
    try (RawClient c = new RawClient(listener.port())) {
      c.sendRaw(new byte[] {0x01, 0, 0, 0, 5, 'H', 'E', 'L', 'L', 'O'});

      WireMessage last = c.readUntilClosed(WAIT);

      assertThat(((Refusal) last).message()).contains("bad magic");
    }
    assertStillWaitingAndUntouched();
  }

  @Test
  void refusesUnknownStreamId() {
    assertThatThrownBy(() -> send("db1:8", secret))
        .satisfies(e -> assertThat(code(e)).isEqualTo(ErrorCode.STREAM_PROTOCOL))
        .hasMessageContaining("refused stream db1:8")
        .hasMessageContaining("this listener does not expect stream db1:8");

    waitForWarn("unknown stream db1:8");
    assertStillWaitingAndUntouched();
  }

  @Test
  void refusesSecondConnectionForStreamAlreadyConnected() throws Exception {
    GatedInput slow = new GatedInput(GeneratedInput.random(4 << 20, 9), 1 << 20);
    CompletableFuture<SendResult> first =
        sendAsync(
            () ->
                sender.send(
                    target(listener, "db1:7", secret),
                    slow,
                    SourceCompletion.none(),
                    fast(),
                    ProgressListener.NONE));
    slow.reachedGate.get(20, TimeUnit.SECONDS);
    assertThat(expected.isConnected()).isTrue();

    assertThatThrownBy(() -> send("db1:7", secret))
        .satisfies(e -> assertThat(code(e)).isEqualTo(ErrorCode.STREAM_PROTOCOL))
        .hasMessageContaining("stream db1:7 is already being received; a stream is accepted once");
    waitForWarn("second connection for stream db1:7, already being received from 127.0.0.1:");

    slow.open();
    assertThat(first.get(20, TimeUnit.SECONDS).bytes()).isEqualTo(4 << 20);
    assertThat(expected.await(WAIT).bytes()).isEqualTo(4 << 20);
    assertThat(sink.opens.get()).isEqualTo(1);
  }

  @Test
  void refusesStreamThatWasAlreadyReceived() throws Exception {
    send("db1:7", secret);
    expected.await(WAIT);

    assertThatThrownBy(() -> send("db1:7", secret))
        .satisfies(e -> assertThat(code(e)).isEqualTo(ErrorCode.STREAM_PROTOCOL))
        .hasMessageContaining("stream db1:7 was already received; a stream is accepted once");
    assertThat(sink.opens.get()).isEqualTo(1);
  }

  @Test
  void oneShotListenerRefusesSecondStreamAfterTheFirst() throws Exception {
    StreamListener oneShot = oneShotListener(fast());
    RecordingSink first = new RecordingSink();
    ExpectedStream a = oneShot.expect("joiner:1", secret, first);
    ExpectedStream b = oneShot.expect("joiner:2", secret, new RecordingSink());

    sender.send(
        target(oneShot, "joiner:1", secret),
        GeneratedInput.random(1000, 1),
        SourceCompletion.none(),
        fast(),
        ProgressListener.NONE);
    assertThat(a.await(WAIT).bytes()).isEqualTo(1000);
    oneShot.closed().get(20, TimeUnit.SECONDS);

    assertThat(oneShot.isOpen()).isFalse();
    assertThatThrownBy(() -> send(target(oneShot, "joiner:2", secret)))
        .satisfies(e -> assertThat(code(e)).isEqualTo(ErrorCode.NODE_UNREACHABLE))
        .hasRootCauseInstanceOf(ConnectException.class);
    assertThatThrownBy(() -> b.await(WAIT))
        .satisfies(e -> assertThat(code(e)).isEqualTo(ErrorCode.CANCELLED))
        .hasMessageContaining("closed before stream joiner:2 was received");
    assertThatThrownBy(() -> oneShot.expect("joiner:3", secret, new RecordingSink()))
        .satisfies(e -> assertThat(code(e)).isEqualTo(ErrorCode.CANCELLED));
  }

  @Test
  void oneShotListenerStopsAcceptingOnceItsStreamAuthenticated() throws Exception {
    StreamListener oneShot = oneShotListener(fast());
    ExpectedStream a = oneShot.expect("joiner:1", secret, new RecordingSink());
    GatedInput slow = new GatedInput(GeneratedInput.random(2 << 20, 2), 1 << 20);
    CompletableFuture<SendResult> first =
        sendAsync(
            () ->
                sender.send(
                    target(oneShot, "joiner:1", secret),
                    slow,
                    SourceCompletion.none(),
                    fast(),
                    ProgressListener.NONE));
    slow.reachedGate.get(20, TimeUnit.SECONDS);

    assertThatThrownBy(() -> new RawClient(oneShot.port()).close())
        .isInstanceOf(ConnectException.class);

    slow.open();
    first.get(20, TimeUnit.SECONDS);
    assertThat(a.await(WAIT).bytes()).isEqualTo(2 << 20);
    oneShot.closed().get(20, TimeUnit.SECONDS);
  }

  // ---- helpers ----

  private SendResult send(String streamId, String secretHex) {
    return send(target(listener, streamId, secretHex));
  }

  private SendResult send(StreamTarget t) {
    return sender.send(
        t,
        GeneratedInput.random(64 << 10, 5),
        SourceCompletion.of(Map.of("k", "v")),
        fast(),
        ProgressListener.NONE);
  }

  private void assertStillWaitingAndUntouched() {
    assertThat(expected.result()).isNotDone();
    assertThat(expected.isConnected()).isFalse();
    assertThat(sink.opens.get()).isZero();
    assertThat(sink.written.get()).isZero();
  }

  private void assertProperSenderStillSucceeds() {
    SendResult r = send("db1:7", secret);
    assertThat(r.bytes()).isEqualTo(64 << 10);
    try {
      assertThat(expected.await(WAIT).sha256Hex()).isEqualTo(r.sha256Hex());
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }

  private void waitForWarn(String text) {
    Waits.until(
        "a WARN containing '" + text + "'",
        WAIT,
        () -> logs.linesContaining(text).stream().anyMatch(l -> l.startsWith("WARN")));
  }

  static ErrorCode code(Throwable e) {
    return ((DbJobsException) e).code();
  }
}
