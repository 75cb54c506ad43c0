package io.dbjobs.common.stream;

import static io.dbjobs.common.stream.StreamRejectionTest.code;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dbjobs.common.ErrorCode;
import io.dbjobs.testkit.LogCapture;
import io.dbjobs.testkit.TestPki;
import io.dbjobs.testkit.Waits;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS with identity: every certificate below comes from the same CA, so only the names decide. The
 * listener runs as node db1 and expects each stream from db2; db3 is another node of the fleet.
 */
class StreamTlsIdentityTest extends StreamFixture {
  private static final String ID = "job-7";

  @TempDir static Path dir;
  static TestPki pki;

  private LogCapture logs;

  @BeforeAll
  static void makeCertificates() {
    pki = TestPki.generate(dir);
  }

  @BeforeEach
  void capture() {
    logs = LogCapture.start();
  }

  @AfterEach
  void stopCapturing() {
    logs.close();
  }

  @Test
  void streamsWhenBothCertificatesNameTheExpectedNodes() throws Exception {
    StreamListener listener = listener(fast().withTls(tls(pki.node("db1"))));
    String secret = StreamSecret.mint();
    RecordingSink sink = new RecordingSink();
    ExpectedStream expected = listener.expect(ID, secret, PeerIdentity.of("db2"), sink);

    SendResult sent = send(listener, ID, secret, pki.node("db2"), PeerIdentity.of("DB1"));

    assertThat(expected.await(WAIT).sha256Hex()).isEqualTo(sent.sha256Hex());
    assertThat(sink.opened.get().tls()).isTrue();
  }

  @Test
  void listenerExpectingDb2RefusesDb3sCertificateAndKeepsWaiting() throws Exception {
    // one-shot, as a joiner's :4444: the mismatching sender must not use up its one stream
    StreamListener listener = oneShotListener(fast().withTls(tls(pki.node("db1"))));
    String secret = StreamSecret.mint();
    RecordingSink sink = new RecordingSink();
    ExpectedStream expected = listener.expect(ID, secret, PeerIdentity.of("db2"), sink);

    assertThatThrownBy(() -> send(listener, ID, secret, pki.node("db3"), PeerIdentity.of("db1")))
        .satisfies(e -> assertThat(code(e)).isEqualTo(ErrorCode.STREAM_AUTH_FAILED))
        .hasMessageContaining("refused stream job-7")
        .hasMessageContaining(
            "stream job-7 is expected from db2, and this sender's certificate names DNS:db3");
    waitForWarn("names DNS:db3, not db2 that stream job-7 is expected from");

    assertThat(sink.opens.get()).isZero();
    assertThat(expected.result()).isNotDone();
    assertThat(expected.isConnected()).isFalse();
    assertThat(listener.isOpen()).isTrue();
    send(listener, ID, secret, pki.node("db2"), PeerIdentity.of("db1"));
    assertThat(expected.await(WAIT).bytes()).isEqualTo(1000);
  }

  @Test
  void senderExpectingDb3RefusesListenerPresentingDb2sCertificate() throws Exception {
    StreamListener listener = listener(fast().withTls(tls(pki.node("db2"))));
    String secret = StreamSecret.mint();
    RecordingSink sink = new RecordingSink();
    ExpectedStream expected = listener.expect(ID, secret, PeerIdentity.of("db1"), sink);

    assertThatThrownBy(() -> send(listener, ID, secret, pki.node("db1"), PeerIdentity.of("db3")))
        .satisfies(e -> assertThat(code(e)).isEqualTo(ErrorCode.STREAM_AUTH_FAILED))
        .hasMessageContaining("listener at 127.0.0.1:" + listener.port())
        .hasMessageContaining("presented a certificate that names DNS:db2, not db3")
        .hasMessageContaining("nothing was sent");

    // the listener saw the TLS handshake and then nothing: not even a HELLO
    waitForWarn("without a complete HELLO");
    assertThat(logs.linesContaining("stream job-7 from")).isEmpty();
    assertThat(sink.opens.get()).isZero();
    assertThat(expected.result()).isNotDone();
  }

  @Test
  void refusesACertificateOfAnotherCaEvenWhenItNamesTheExpectedNode() throws Exception {
    StreamListener listener = listener(fast().withTls(tls(pki.node("db1"))));
    String secret = StreamSecret.mint();
    RecordingSink sink = new RecordingSink();
    ExpectedStream expected = listener.expect(ID, secret, PeerIdentity.of("db2"), sink);

    assertThatThrownBy(
            () -> send(listener, ID, secret, pki.foreignNode("db2"), PeerIdentity.of("db1")))
        .satisfies(
            e -> assertThat(code(e)).isIn(ErrorCode.STREAM_AUTH_FAILED, ErrorCode.STREAM_CUT));
    waitForWarn("the sender presented no certificate issued by this listener's CA");
    assertThat(sink.opens.get()).isZero();
    assertThat(expected.result()).isNotDone();

    StreamListener impostor = listener(fast().withTls(tls(pki.foreignNode("db1"))));
    impostor.expect("db1:8", secret, PeerIdentity.ANY, new RecordingSink());
    assertThatThrownBy(
            () ->
                sender.send(
                    target(impostor, "db1:8", secret, PeerIdentity.of("db1")),
                    GeneratedInput.random(1000, 1),
                    SourceCompletion.none(),
                    fast().withTls(tls(pki.node("db2"))),
                    ProgressListener.NONE))
        .satisfies(e -> assertThat(code(e)).isEqualTo(ErrorCode.STREAM_AUTH_FAILED))
        .hasMessageContaining("the listener's certificate is not issued by this side's CA");
  }

  @Test
  void matchesTheListenersConfiguredIpAddress() throws Exception {
    // the default test leaves name DNS:localhost and IP:127.0.0.1
    StreamListener listener =
        listener(fast().withTls(tls(new TestPki.Leaf(pki.cert("receiver"), pki.key("receiver")))));
    String secret = StreamSecret.mint();
    ExpectedStream expected =
        listener.expect(ID, secret, PeerIdentity.of("db2"), new RecordingSink());

    send(listener, ID, secret, pki.node("db2"), PeerIdentity.of("db1", "127.0.0.1"));

    assertThat(expected.await(WAIT).bytes()).isEqualTo(1000);
  }

  @Test
  void tlsListenerRefusesToExpectAStreamWithoutItsSender() {
    StreamListener listener = listener(fast().withTls(tls(pki.node("db1"))));

    assertThatThrownBy(() -> listener.expect(ID, StreamSecret.mint(), new RecordingSink()))
        .satisfies(e -> assertThat(code(e)).isEqualTo(ErrorCode.BAD_PARAMETER))
        .hasMessageContaining("stream job-7 names no sender identity")
        .hasMessageContaining("PeerIdentity.ANY");
  }

  @Test
  void tlsSenderRefusesATargetWithoutTheListenersIdentity() {
    StreamListener listener = listener(fast().withTls(tls(pki.node("db1"))));
    String secret = StreamSecret.mint();
    RecordingSink sink = new RecordingSink();
    listener.expect(ID, secret, PeerIdentity.ANY, sink);

    assertThatThrownBy(
            () ->
                sender.send(
                    target(listener, ID, secret),
                    GeneratedInput.random(1000, 1),
                    SourceCompletion.none(),
                    fast().withTls(tls(pki.node("db2"))),
                    ProgressListener.NONE))
        .satisfies(e -> assertThat(code(e)).isEqualTo(ErrorCode.BAD_PARAMETER))
        .hasMessageContaining("names no listener identity")
        .hasMessageContaining("nothing was sent");
    assertThat(listener.stats().admitted()).as("connections the listener saw").isZero();
  }

  @Test
  void identityIsNotCheckedWithoutTls() throws Exception {
    StreamListener listener = listener(fast());
    String secret = StreamSecret.mint();
    ExpectedStream expected =
        listener.expect(ID, secret, PeerIdentity.of("db2"), new RecordingSink());

    sender.send(
        target(listener, ID, secret, PeerIdentity.of("db9")),
        GeneratedInput.random(1000, 1),
        SourceCompletion.none(),
        fast(),
        ProgressListener.NONE);

    assertThat(expected.await(WAIT).bytes()).isEqualTo(1000);
    assertThat(logs.linesContaining("sender db2, not checked without TLS")).hasSize(1);
  }

  private SendResult send(
      StreamListener listener,
      String id,
      String secret,
      TestPki.Leaf senderCert,
      PeerIdentity listenerId) {
    return sender.send(
        target(listener, id, secret, listenerId),
        GeneratedInput.random(1000, 1),
        SourceCompletion.none(),
        fast().withTls(tls(senderCert)),
        ProgressListener.NONE);
  }

  private static StreamTls tls(TestPki.Leaf leaf) {
    return new StreamTls(leaf.cert(), leaf.key(), pki.ca());
  }

  private void waitForWarn(String text) {
    Waits.until(
        "a WARN containing '" + text + "'",
        WAIT,
        () -> logs.linesContaining(text).stream().anyMatch(l -> l.startsWith("WARN")));
  }
}
