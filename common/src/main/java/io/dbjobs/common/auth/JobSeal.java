package io.dbjobs.common.auth;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import java.time.Instant;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The seal column of a job row: {@code v1:<key id>:<expiry, epoch ms>:<MAC, base64url>}. The key id
 * says which of the node's keys made it (so rotation never breaks queued jobs); the expiry is also
 * inside the MAC.
 */
public record JobSeal(String keyId, Instant expires, byte[] mac) {
  private static final Pattern FORMAT =
      Pattern.compile("v1:([0-9a-f]{16}):([0-9]{1,15}):([A-Za-z0-9_-]{43})");

  public String format() {
    return "v1:"
        + keyId
        + ":"
        + expires.toEpochMilli()
        + ":"
        + Base64.getUrlEncoder().withoutPadding().encodeToString(mac);
  }

  /**
   * @throws DbJobsException UNAUTHENTICATED_JOB when the text is not a seal of this version
   */
  public static JobSeal parse(String text) {
    if (text == null || text.isEmpty()) {
      throw new DbJobsException(
          ErrorCode.UNAUTHENTICATED_JOB,
          "the row carries no seal: it was not written by the dbjobs manager");
    }
    Matcher m = FORMAT.matcher(text);
    if (!m.matches()) {
      throw new DbJobsException(
          ErrorCode.UNAUTHENTICATED_JOB,
          "the row's seal is malformed ("
              + text.length()
              + " characters, expected v1:<key id>:<expiry>:<mac>)");
    }
    return new JobSeal(
        m.group(1),
        Instant.ofEpochMilli(Long.parseLong(m.group(2))),
        Base64.getUrlDecoder().decode(m.group(3)));
  }

  @Override
  public String toString() {
    return "JobSeal[key " + keyId + ", expires " + expires + "]";
  }
}
