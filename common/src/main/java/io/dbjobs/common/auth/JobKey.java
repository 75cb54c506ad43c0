package io.dbjobs.common.auth;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * One job key: 32 random bytes shared by the manager and one node's agent, kept in files outside
 * the database. It never prints: {@link #toString()} shows only its {@link #id()}, a fingerprint
 * that reveals nothing of the key. Two sub-keys are derived from it, one per purpose, so a value
 * computed for one purpose is never valid for the other: the seal's MAC key and the secret box's
 * encryption key.
 */
public final class JobKey {
  /** Bytes of a key. */
  public static final int BYTES = 32;

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final String ID_LABEL = "dbjobs key id v1";
  private static final String MAC_LABEL = "dbjobs job seal v1";
  private static final String BOX_LABEL = "dbjobs secret box v1";

  private final byte[] key;
  private final String id;

  private JobKey(byte[] key) {
    if (key.length != BYTES) {
      throw new DbJobsException(
          ErrorCode.CONFIG_INVALID,
          "a job key is " + BYTES + " bytes (44 base64 characters), got " + key.length + " bytes");
    }
    this.key = key.clone();
    this.id = fingerprint(this.key);
  }

  /** A fresh key from {@link SecureRandom}. */
  public static JobKey generate() {
    byte[] b = new byte[BYTES];
    RANDOM.nextBytes(b);
    return new JobKey(b);
  }

  /**
   * A key from its base64 text (as in a key file).
   *
   * @throws DbJobsException CONFIG_INVALID when it is not base64 of 32 bytes (the message never
   *     shows the text)
   */
  public static JobKey fromBase64(String text) {
    byte[] b;
    try {
      b = Base64.getDecoder().decode(text.strip());
    } catch (IllegalArgumentException e) {
      throw new DbJobsException(
          ErrorCode.CONFIG_INVALID,
          "a job key must be base64 of 32 bytes; this one is not base64 ("
              + text.strip().length()
              + " characters)");
    }
    return new JobKey(b);
  }

  /**
   * A key from its 64 hex characters (as it travels in a rotation job's secret box).
   *
   * @throws DbJobsException CONFIG_INVALID when it is not 32 bytes of hex
   */
  public static JobKey fromHex(String hex) {
    try {
      return new JobKey(java.util.HexFormat.of().parseHex(hex));
    } catch (IllegalArgumentException e) {
      throw new DbJobsException(ErrorCode.CONFIG_INVALID, "a job key in hex is malformed", e);
    }
  }

  /** The key as 64 hex characters, for a rotation job's secret box. Never log it. */
  public String toHex() {
    return java.util.HexFormat.of().formatHex(key);
  }

  /** The key's fingerprint: 16 hex characters, safe to print and to store in a row. */
  public String id() {
    return id;
  }

  /** The key as base64, for a key file. Never log it. */
  public String toBase64() {
    return Base64.getEncoder().encodeToString(key);
  }

  byte[] bytes() {
    return key.clone();
  }

  /** The sub-key that MACs seals. */
  byte[] macKey() {
    return hmac(key, MAC_LABEL.getBytes(StandardCharsets.US_ASCII));
  }

  /** The sub-key that encrypts stream secrets. */
  byte[] boxKey() {
    return hmac(key, BOX_LABEL.getBytes(StandardCharsets.US_ASCII));
  }

  static byte[] hmac(byte[] key, byte[] data) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(data);
    } catch (GeneralSecurityException e) {
      throw new DbJobsException(ErrorCode.INTERNAL, "HmacSHA256 is not available in this JVM", e);
    }
  }

  private static String fingerprint(byte[] key) {
    try {
      MessageDigest d = MessageDigest.getInstance("SHA-256");
      d.update(ID_LABEL.getBytes(StandardCharsets.US_ASCII));
      d.update((byte) 0);
      d.update(key);
      return HexFormat.of().formatHex(Arrays.copyOf(d.digest(), 8));
    } catch (GeneralSecurityException e) {
      throw new DbJobsException(ErrorCode.INTERNAL, "SHA-256 is not available in this JVM", e);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof JobKey k && MessageDigest.isEqual(key, k.key);
  }

  @Override
  public int hashCode() {
    return id.hashCode();
  }

  @Override
  public String toString() {
    return "JobKey[" + id + "]";
  }
}
