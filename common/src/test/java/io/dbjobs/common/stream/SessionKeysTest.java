package io.dbjobs.common.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbjobs.common.stream.WireMessage.Hello;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class SessionKeysTest {
  static final String SECRET = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
  static final byte[] CLIENT_NONCE = filled(0xaa);
  static final byte[] SERVER_NONCE = filled(0xbb);
  static final Hello HELLO = new Hello(1, "db2:42", CLIENT_NONCE, Compression.ZSTD, 1000);

  /** The test vector printed in docs/stream-protocol.md; changing it breaks protocol v1. */
  @Test
  void matchesTheDocumentedTestVector() {
    SessionKeys keys = keys(HELLO, SERVER_NONCE);

    assertThat(hex(keys.listenerProof()))
        .isEqualTo(hex(spec("dbjobs-stream-v1 listener proof", HELLO, SERVER_NONCE)));
    assertThat(hex(keys.senderProof()))
        .isEqualTo(hex(spec("dbjobs-stream-v1 sender proof", HELLO, SERVER_NONCE)));
    assertThat(hex(WireCodec.helloPayload(HELLO)))
        .isEqualTo(
            "44424a5301"
                + "0006"
                + hex("db2:42".getBytes(StandardCharsets.US_ASCII))
                + "aa".repeat(32)
                + "01"
                + "00000000000003e8");
    assertThat(hex(keys.listenerProof())).isEqualTo(VECTOR_LISTENER_PROOF);
    assertThat(hex(keys.senderProof())).isEqualTo(VECTOR_SENDER_PROOF);
  }

  static final String VECTOR_LISTENER_PROOF =
      "fd1c53dcbed53edc626e38ee5268c1fe7ada7a8e978e977ce34df4eeadeeb294";
  static final String VECTOR_SENDER_PROOF =
      "24406c0e789a010681d2da7c76c8edc1d2e400a2649b10d3aba3663924ffda2d";

  @Test
  void proofsDifferByDirectionSoNeitherCanBeReflected() {
    SessionKeys keys = keys(HELLO, SERVER_NONCE);

    assertThat(keys.listenerProof()).isNotEqualTo(keys.senderProof());
  }

  @Test
  void proofsBindNoncesStreamAndEveryHelloField() {
    byte[] base = keys(HELLO, SERVER_NONCE).senderProof();

    assertThat(keys(HELLO, filled(0xbc)).senderProof()).isNotEqualTo(base);
    assertThat(
            keys(new Hello(1, "db2:42", filled(0xab), Compression.ZSTD, 1000), SERVER_NONCE)
                .senderProof())
        .isNotEqualTo(base);
    assertThat(
            keys(new Hello(1, "db2:43", CLIENT_NONCE, Compression.ZSTD, 1000), SERVER_NONCE)
                .senderProof())
        .isNotEqualTo(base);
    assertThat(
            keys(new Hello(1, "db2:42", CLIENT_NONCE, Compression.NONE, 1000), SERVER_NONCE)
                .senderProof())
        .isNotEqualTo(base);
    assertThat(
            keys(new Hello(1, "db2:42", CLIENT_NONCE, Compression.ZSTD, 1001), SERVER_NONCE)
                .senderProof())
        .isNotEqualTo(base);
    SessionKeys otherSecret =
        new SessionKeys(StreamSecret.keyBytes(StreamSecret.mint(), "x"), HELLO, SERVER_NONCE);
    assertThat(otherSecret.senderProof()).isNotEqualTo(base);
  }

  @Test
  void trailerAndAckMacsCoverCountDigestAndText() {
    SessionKeys keys = keys(HELLO, SERVER_NONCE);
    byte[] sha = filled(0x11);
    byte[] meta = "{\"gtid\":\"0-1-2\"}".getBytes(StandardCharsets.UTF_8);

    byte[] trailer = keys.trailerMac(10, sha, meta);
    assertThat(keys.trailerMac(11, sha, meta)).isNotEqualTo(trailer);
    assertThat(keys.trailerMac(10, filled(0x12), meta)).isNotEqualTo(trailer);
    assertThat(keys.trailerMac(10, sha, "{}".getBytes(StandardCharsets.UTF_8)))
        .isNotEqualTo(trailer);
    byte[] ack = keys.ackMac(10, sha, "ok");
    assertThat(keys.ackMac(10, sha, "ok!")).isNotEqualTo(ack);
    assertThat(ack).isNotEqualTo(trailer);
  }

  @Test
  void comparesInConstantTimeAndRejectsWrongLengths() {
    byte[] a = filled(1);
    assertThat(SessionKeys.matches(a, a.clone())).isTrue();
    assertThat(SessionKeys.matches(a, Arrays.copyOf(a, 31))).isFalse();
    byte[] b = a.clone();
    b[31] ^= 1;
    assertThat(SessionKeys.matches(a, b)).isFalse();
  }

  @Test
  void neverPrintsTheKey() {
    assertThat(keys(HELLO, SERVER_NONCE).toString()).isEqualTo("SessionKeys[****]");
  }

  /** The construction as docs/stream-protocol.md states it, written independently. */
  static byte[] spec(String label, Hello hello, byte[] serverNonce) {
    try {
      ByteArrayOutputStream t = new ByteArrayOutputStream();
      byte[] id = hello.streamId().getBytes(StandardCharsets.UTF_8);
      t.write(id.length >> 8);
      t.write(id.length);
      t.write(id);
      t.write(hello.clientNonce());
      t.write(serverNonce);
      t.write(MessageDigest.getInstance("SHA-256").digest(WireCodec.helloPayload(hello)));
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(HexFormat.of().parseHex(SECRET), "HmacSHA256"));
      mac.update(label.getBytes(StandardCharsets.US_ASCII));
      mac.update((byte) 0);
      return mac.doFinal(t.toByteArray());
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static SessionKeys keys(Hello hello, byte[] serverNonce) {
    return new SessionKeys(StreamSecret.keyBytes(SECRET, "x"), hello, serverNonce);
  }

  static byte[] filled(int v) {
    byte[] b = new byte[32];
    Arrays.fill(b, (byte) v);
    return b;
  }

  static String hex(byte[] b) {
    return HexFormat.of().formatHex(b);
  }
}
