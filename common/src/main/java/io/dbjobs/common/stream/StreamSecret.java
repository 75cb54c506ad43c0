package io.dbjobs.common.stream;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * Per-job stream secrets: 32 random bytes written as 64 lowercase hex characters. The manager mints
 * one per job and puts it only in the job rows of the two ends. A secret never appears in a {@code
 * toString}, a log line or an exception message; this class never prints one.
 */
public final class StreamSecret {
  /** Characters of a secret. */
  public static final int HEX_CHARS = 64;

  private static final SecureRandom RANDOM = new SecureRandom();

  private StreamSecret() {}

  /** A fresh secret from {@link SecureRandom}: 64 hex characters. */
  public static String mint() {
    byte[] b = new byte[HEX_CHARS / 2];
    RANDOM.nextBytes(b);
    return HexFormat.of().formatHex(b);
  }

  /**
   * The 32 key bytes of a secret.
   *
   * @throws DbJobsException BAD_PARAMETER when {@code hex} is not 64 hex characters (the message
   *     gives the length only, never the value)
   */
  static byte[] keyBytes(String hex, String streamId) {
    if (hex == null) {
      throw new DbJobsException(ErrorCode.BAD_PARAMETER, "stream " + streamId + " has no secret");
    }
    if (hex.length() != HEX_CHARS || !isHex(hex)) {
      throw new DbJobsException(
          ErrorCode.BAD_PARAMETER,
          "the secret of stream "
              + streamId
              + " must be "
              + HEX_CHARS
              + " hex characters (got "
              + hex.length()
              + " characters"
              + (isHex(hex) ? "" : ", not all hex")
              + "); mint one with StreamSecret.mint()");
    }
    return HexFormat.of().parseHex(hex);
  }

  private static boolean isHex(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (Character.digit(s.charAt(i), 16) < 0) {
        return false;
      }
    }
    return true;
  }
}
