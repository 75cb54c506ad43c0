package io.dbjobs.common.stream;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.stream.WireMessage.Hello;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The HMAC-SHA256 proofs and MACs of one connection, keyed by the job's secret and bound to this
 * connection's HELLO and both nonces. Every MAC input starts with its own ASCII label and a zero
 * byte, so a value computed for one purpose (the listener's proof, say) is never valid for another
 * (the sender's proof). Holds the key; prints nothing.
 *
 * <p>Transcript: {@code u16 len(streamId) | streamId | clientNonce | serverNonce | SHA-256(HELLO
 * payload)}.
 */
final class SessionKeys {
  static final String LISTENER_PROOF = "dbjobs-stream-v1 listener proof";
  static final String SENDER_PROOF = "dbjobs-stream-v1 sender proof";
  static final String TRAILER = "dbjobs-stream-v1 trailer";
  static final String ACK = "dbjobs-stream-v1 ack";

  private static final SecureRandom RANDOM = new SecureRandom();

  private final byte[] key;
  private final byte[] transcript;

  SessionKeys(byte[] key, Hello hello, byte[] serverNonce) {
    this.key = key.clone();
    byte[] id = hello.streamId().getBytes(StandardCharsets.UTF_8);
    byte[] helloHash = sha256(WireCodec.helloPayload(hello));
    this.transcript =
        ByteBuffer.allocate(2 + id.length + hello.clientNonce().length + serverNonce.length + 32)
            .putShort((short) id.length)
            .put(id)
            .put(hello.clientNonce())
            .put(serverNonce)
            .put(helloHash)
            .array();
  }

  static byte[] nonce() {
    byte[] n = new byte[StreamProtocol.NONCE_BYTES];
    RANDOM.nextBytes(n);
    return n;
  }

  /** What the listener sends in CHALLENGE. */
  byte[] listenerProof() {
    return mac(LISTENER_PROOF, transcript);
  }

  /** What the sender sends in PROOF. */
  byte[] senderProof() {
    return mac(SENDER_PROOF, transcript);
  }

  /** MAC of a trailer: {@code transcript | i64 bytes | sha256 | u32 len(meta) | meta}. */
  byte[] trailerMac(long bytes, byte[] sha256, byte[] metaJson) {
    ByteBuffer b =
        ByteBuffer.allocate(transcript.length + 8 + sha256.length + 4 + metaJson.length)
            .put(transcript)
            .putLong(bytes)
            .put(sha256)
            .putInt(metaJson.length)
            .put(metaJson);
    return mac(TRAILER, b.array());
  }

  /** MAC of an ACK: {@code transcript | i64 bytes | sha256 | message (UTF-8)}. */
  byte[] ackMac(long bytes, byte[] sha256, String message) {
    byte[] m = message.getBytes(StandardCharsets.UTF_8);
    ByteBuffer b =
        ByteBuffer.allocate(transcript.length + 8 + sha256.length + m.length)
            .put(transcript)
            .putLong(bytes)
            .put(sha256)
            .put(m);
    return mac(ACK, b.array());
  }

  /** Constant-time comparison of a received MAC with the expected one. */
  static boolean matches(byte[] expected, byte[] received) {
    return MessageDigest.isEqual(expected, received);
  }

  private byte[] mac(String label, byte[] data) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      mac.update(label.getBytes(StandardCharsets.US_ASCII));
      mac.update((byte) 0);
      return mac.doFinal(data);
    } catch (GeneralSecurityException e) {
      throw new DbJobsException(ErrorCode.INTERNAL, "HmacSHA256 is not available in this JVM", e);
    }
  }

  static byte[] sha256(byte[] data) {
    return newSha256().digest(data);
  }

  static MessageDigest newSha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (GeneralSecurityException e) {
      throw new DbJobsException(ErrorCode.INTERNAL, "SHA-256 is not available in this JVM", e);
    }
  }

  @Override
  public String toString() {
    return "SessionKeys[****]";
  }
}
