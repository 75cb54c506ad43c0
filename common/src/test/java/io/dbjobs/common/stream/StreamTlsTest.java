package io.dbjobs.common.stream;

import static io.dbjobs.common.stream.StreamRejectionTest.code;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.testkit.LogCapture;
import io.dbjobs.testkit.Waits;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StreamTlsTest extends StreamFixture {
  @TempDir static Path pki;
  static TestCerts certs;

  private LogCapture logs;

  @BeforeAll
  static void makeCertificates() throws Exception {
    certs = TestCerts.generate(pki);
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
  void streamsOverMutualTls() throws Exception {
    StreamListener listener = listener(fast().withTls(certs.listenerTls()));
    String secret = StreamSecret.mint();
    RecordingSink sink = new RecordingSink();
    ExpectedStream expected = listener.expect("tls", secret, PeerIdentity.ANY, sink);
    long length = 6L << 20;

    SendResult sent =
        sender.send(
            target(listener, "tls", secret, PeerIdentity.ANY),
            GeneratedInput.random(length, 8),
            SourceCompletion.of(Map.of("gtid", "0-1-9")),
            fast().withTls(certs.senderTls()).withCompression(Compression.ZSTD),
            ProgressListener.NONE);

    String sha = GeneratedInput.sha256(length, 8, false);
    assertThat(sent.sha256Hex()).isEqualTo(sha);
    ReceiveResult received = expected.await(WAIT);
    assertThat(received.sha256Hex()).isEqualTo(sha);
    assertThat(received.metadata()).containsEntry("gtid", "0-1-9");
    assertThat(sink.opened.get().tls()).isTrue();
  }

  @Test
  void rejectsSenderWhoseCertificateAnotherCaIssued() throws Exception {
    StreamListener listener = listener(fast().withTls(certs.listenerTls()));
    String secret = StreamSecret.mint();
    RecordingSink sink = new RecordingSink();
    ExpectedStream expected = listener.expect("tls", secret, PeerIdentity.ANY, sink);
    StreamTls intruder = new StreamTls(certs.otherClientCert, certs.otherClientKey, certs.caCert);

    assertThatThrownBy(() -> send(listener, "tls", secret, intruder))
        .satisfies(
            e -> assertThat(code(e)).isIn(ErrorCode.STREAM_AUTH_FAILED, ErrorCode.STREAM_CUT))
        .hasMessageContaining("stream tls");
    waitForWarn("TLS with 127.0.0.1:");
    assertThat(String.join("\n", logs.linesContaining("TLS with")))
        .contains("the sender presented no certificate issued by this listener's CA");

    assertThat(sink.opens.get()).isZero();
    assertThat(expected.result()).isNotDone();
    send(listener, "tls", secret, certs.senderTls());
    assertThat(expected.await(WAIT).bytes()).isEqualTo(1000);
  }

  @Test
  void senderRefusesListenerThatItsCaDidNotIssue() throws Exception {
    StreamListener listener = listener(fast().withTls(certs.listenerTls()));
    String secret = StreamSecret.mint();
    RecordingSink sink = new RecordingSink();
    ExpectedStream expected = listener.expect("tls", secret, PeerIdentity.ANY, sink);
    StreamTls trustsOtherCa = new StreamTls(certs.clientCert, certs.clientKey, certs.otherCaCert);

    assertThatThrownBy(() -> send(listener, "tls", secret, trustsOtherCa))
        .satisfies(e -> assertThat(code(e)).isEqualTo(ErrorCode.STREAM_AUTH_FAILED))
        .hasMessageContaining("TLS with 127.0.0.1:")
        .hasMessageContaining("the listener's certificate is not issued by this side's CA");

    waitForWarn("TLS with 127.0.0.1:");
    assertThat(sink.opens.get()).isZero();
    assertThat(expected.result()).isNotDone();
  }

  @Test
  void rejectsPlainSenderOnTlsListener() throws Exception {
    StreamListener listener = listener(fast().withTls(certs.listenerTls()));
    String secret = StreamSecret.mint();
    RecordingSink sink = new RecordingSink();
    listener.expect("tls", secret, PeerIdentity.ANY, sink);

    assertThatThrownBy(() -> send(listener, "tls", secret, null))
        .isInstanceOf(DbJobsException.class)
        .hasMessageContaining("stream tls");

    waitForWarn("the sender does not use TLS");
    assertThat(sink.opens.get()).isZero();
  }

  @Test
  void rejectsTlsSenderOnPlainListener() throws Exception {
    StreamListener listener = listener(fast());
    String secret = StreamSecret.mint();
    RecordingSink sink = new RecordingSink();
    listener.expect("tls", secret, PeerIdentity.ANY, sink);

    assertThatThrownBy(() -> send(listener, "tls", secret, certs.senderTls()))
        .satisfies(e -> assertThat(code(e)).isEqualTo(ErrorCode.STREAM_AUTH_FAILED))
        .hasMessageContaining("TLS with 127.0.0.1:")
        .hasMessageContaining("the listener does not use TLS");

    waitForWarn("the peer speaks TLS and this side does not");
    assertThat(sink.opens.get()).isZero();
  }

  @Test
  void namesTheMissingPemFile() {
    Path missing = pki.resolve("nope.pem");

    assertThatThrownBy(() -> new StreamTls(missing, certs.serverKey, certs.caCert))
        .satisfies(e -> assertThat(code(e)).isEqualTo(ErrorCode.CONFIG_INVALID))
        .hasMessageContaining("TLS file " + missing)
        .hasMessageContaining("cannot be read");
  }

  @Test
  void namesTheMalformedPemFile() throws Exception {
    Path garbage = pki.resolve("garbage.pem");
    Files.writeString(garbage, "this is not a certificate\n", StandardCharsets.US_ASCII);
    Path broken = pki.resolve("broken.pem");
    Files.writeString(
        broken,
        "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
        StandardCharsets.US_ASCII);

    assertThatThrownBy(() -> new StreamTls(certs.serverCert, certs.serverKey, garbage))
        .satisfies(e -> assertThat(code(e)).isEqualTo(ErrorCode.CONFIG_INVALID))
        .hasMessageContaining("TLS file " + garbage)
        .hasMessageContaining("holds no '-----BEGIN CERTIFICATE-----' block");
    assertThatThrownBy(() -> new StreamTls(broken, certs.serverKey, certs.caCert))
        .satisfies(e -> assertThat(code(e)).isEqualTo(ErrorCode.CONFIG_INVALID))
        .hasMessageContaining("TLS file " + broken)
        .hasMessageContaining("is not a readable X.509 certificate");
    assertThatThrownBy(() -> new StreamTls(certs.serverCert, garbage, certs.caCert))
        .satisfies(e -> assertThat(code(e)).isEqualTo(ErrorCode.CONFIG_INVALID))
        .hasMessageContaining("TLS file " + garbage)
        .hasMessageContaining("holds no '-----BEGIN PRIVATE KEY-----' block");
  }

  @Test
  void explainsHowToConvertAnOldFormatKey() throws Exception {
    Path pkcs1 = pki.resolve("client-pkcs1.key");
    certs.run(
        List.of("openssl", "pkey", "-in", "client.key", "-traditional", "-out", pkcs1.toString()));

    assertThatThrownBy(() -> new StreamTls(certs.clientCert, pkcs1, certs.caCert))
        .satisfies(e -> assertThat(code(e)).isEqualTo(ErrorCode.CONFIG_INVALID))
        .hasMessageContaining("TLS file " + pkcs1)
        .hasMessageContaining("openssl pkcs8 -topk8 -nocrypt");
  }

  @Test
  void rejectsKeyThatDoesNotBelongToTheCertificate() {
    assertThatThrownBy(() -> new StreamTls(certs.serverCert, certs.clientKey, certs.caCert))
        .satisfies(e -> assertThat(code(e)).isEqualTo(ErrorCode.CONFIG_INVALID))
        .hasMessageContaining("does not belong to the certificate");
  }

  private SendResult send(StreamListener l, String id, String secret, StreamTls tls) {
    return send(l, id, secret, tls, PeerIdentity.ANY);
  }

  private SendResult send(
      StreamListener l, String id, String secret, StreamTls tls, PeerIdentity listenerIdentity) {
    return sender.send(
        target(l, id, secret, listenerIdentity),
        GeneratedInput.random(1000, 1),
        SourceCompletion.none(),
        fast().withTls(tls),
        ProgressListener.NONE);
  }

  private void waitForWarn(String text) {
    Waits.until(
        "a WARN containing '" + text + "'",
        WAIT,
        () -> logs.linesContaining(text).stream().anyMatch(l -> l.startsWith("WARN")));
  }
}
