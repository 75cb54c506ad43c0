package io.dbjobs.common.http;

import io.dbjobs.common.config.Secret;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;

/**
 * Checks an {@code Authorization: Bearer <token>} header against the server's token in constant
 * time: both sides are hashed (SHA-256) and the digests compared with {@link
 * MessageDigest#isEqual}, so neither the content nor the length of the token shows in the timing.
 * Only the digest of the token is kept; nothing here logs or prints a header.
 */
final class BearerToken {
  /** What a request's headers say about its token. */
  enum Verdict {
    MISSING,
    WRONG,
    OK
  }

  private final byte[] digest;

  BearerToken(Secret token) {
    this.digest = sha256(token.reveal());
  }

  /** The verdict on a request's {@code Authorization} headers (several of them are wrong). */
  Verdict check(List<String> authorization) {
    if (authorization.isEmpty()) {
      return Verdict.MISSING;
    }
    String h = authorization.get(0);
    if (authorization.size() > 1 || h.length() < 7 || !h.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return Verdict.WRONG;
    }
    return MessageDigest.isEqual(sha256(h.substring(7).trim()), digest)
        ? Verdict.OK
        : Verdict.WRONG;
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }
}
