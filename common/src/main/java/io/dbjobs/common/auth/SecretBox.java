package io.dbjobs.common.auth;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * A job's stream secret as stored in its row: encrypted (AES-256-GCM) with the node's job key,
 * bound to the node and the job's idempotency key, so reading the jobs table, or a physical backup
 * of the node, gives nothing that authenticates a stream. Format: {@code v1:<base64url(nonce |
 * ciphertext | tag)>}; the key is the one named by the row's seal.
 */
public final class SecretBox {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;
  private static final String AAD_LABEL = "dbjobs-secret-v1";

  private SecretBox() {}

  /** Wraps a 64-hex stream secret for the row of job {@code idempotencyKey} on {@code node}. */
  public static String wrap(JobKey key, String node, String idempotencyKey, String secretHex) {
    byte[] secret = HexFormat.of().parseHex(secretHex);
    byte[] nonce = new byte[NONCE_BYTES];
    RANDOM.nextBytes(nonce);
    try {
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(
          Cipher.ENCRYPT_MODE,
          new SecretKeySpec(key.boxKey(), "AES"),
          new GCMParameterSpec(TAG_BITS, nonce));
      c.updateAAD(aad(node, idempotencyKey));
      byte[] ct = c.doFinal(secret);
      byte[] out = ByteBuffer.allocate(nonce.length + ct.length).put(nonce).put(ct).array();
      return "v1:" + Base64.getUrlEncoder().withoutPadding().encodeToString(out);
    } catch (GeneralSecurityException e) {
      throw new DbJobsException(ErrorCode.INTERNAL, "AES-GCM is not available in this JVM", e);
    }
  }

  /**
   * The stream secret (64 hex characters) of a sealed row.
   *
   * @throws DbJobsException UNAUTHENTICATED_JOB when the box does not open with this key for this
   *     node and job
   */
  public static String unwrap(JobKey key, String node, String idempotencyKey, String box) {
    if (box == null || !box.startsWith("v1:")) {
      throw new DbJobsException(
          ErrorCode.UNAUTHENTICATED_JOB, "the row's stream secret is missing or malformed");
    }
    byte[] all;
    try {
      all = Base64.getUrlDecoder().decode(box.substring(3));
    } catch (IllegalArgumentException e) {
      throw new DbJobsException(
          ErrorCode.UNAUTHENTICATED_JOB, "the row's stream secret is not base64url", e);
    }
    if (all.length != NONCE_BYTES + 32 + TAG_BITS / 8) {
      throw new DbJobsException(
          ErrorCode.UNAUTHENTICATED_JOB,
          "the row's stream secret has the wrong size (" + all.length + " bytes)");
    }
    try {
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(
          Cipher.DECRYPT_MODE,
          new SecretKeySpec(key.boxKey(), "AES"),
          new GCMParameterSpec(TAG_BITS, all, 0, NONCE_BYTES));
      c.updateAAD(aad(node, idempotencyKey));
      byte[] secret = c.doFinal(all, NONCE_BYTES, all.length - NONCE_BYTES);
      return HexFormat.of().formatHex(secret);
    } catch (javax.crypto.AEADBadTagException e) {
      throw new DbJobsException(
          ErrorCode.UNAUTHENTICATED_JOB,
          "the row's stream secret does not open with key " + key.id() + " for this job",
          e);
    } catch (GeneralSecurityException e) {
      throw new DbJobsException(ErrorCode.INTERNAL, "AES-GCM is not available in this JVM", e);
    }
  }

  private static byte[] aad(String node, String idempotencyKey) {
    byte[] n = node.getBytes(StandardCharsets.UTF_8);
    byte[] k = idempotencyKey.getBytes(StandardCharsets.UTF_8);
    byte[] l = AAD_LABEL.getBytes(StandardCharsets.US_ASCII);
    return ByteBuffer.allocate(l.length + 1 + 4 + n.length + 4 + k.length)
        .put(l)
        .put((byte) 0)
        .putInt(n.length)
        .put(n)
        .putInt(k.length)
        .put(k)
        .array();
  }
}
