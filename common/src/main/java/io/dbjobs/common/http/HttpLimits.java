package io.dbjobs.common.http;

import io.dbjobs.common.config.ConfigTree;
import io.dbjobs.common.time.Durations;
import java.time.Duration;
import java.util.Objects;

/**
 * The limits of a {@link GuardedHttpServer}: read under the server's own config object ({@code
 * api:} in manager.yml, {@code http:} in agent.yml), each key optional.
 *
 * @param headerTimeout {@code headerTimeout}, default {@code 10s} (at least 100ms): how long a
 *     request's line and headers may take to arrive, counted from the connection's opening or the
 *     end of the previous answer; an idle kept-alive connection is closed at the same deadline
 * @param bodyTimeout {@code bodyTimeout}, default {@code 30s} (at least 100ms): how long an
 *     authenticated request's body may take to arrive once its headers are in (a deadline for the
 *     whole body, not an idle timer: a trickled body is cut too); the answer is 408
 * @param maxHeaderSize {@code maxHeaderSize}, default {@code 8192} bytes (1024..65536): the request
 *     line and headers together; more is answered 431 (414 for the line alone)
 * @param maxBody {@code maxBody}, default per server (manager 262144, agent 65536; 1024..16777216):
 *     a larger body is answered 413 without being read
 * @param maxConnections {@code maxConnections}, default {@code 256} (1..65536): open connections of
 *     any kind; one more is closed at once
 * @param maxUnauthenticated {@code maxUnauthenticated}, default {@code 128} (1..maxConnections):
 *     connections that have not yet sent a request with the right token (including those only
 *     asking {@code /health}; not those refused and being closed, which linger at most a second for
 *     their answer to be read); one more is closed at once
 * @param maxUnauthenticatedPerAddress {@code maxUnauthenticatedPerAddress}, default {@code 32}
 *     (1..maxUnauthenticated): the same, per client IP address
 * @param threads {@code threads}, default per server (manager 8, agent 2; 1..64): authenticated
 *     requests answered at once, off the network threads
 * @param queue {@code queue}, default per server (manager 32, agent 8; 0..1024): authenticated
 *     requests that may wait for a thread; one more is answered 503 (SERVER_BUSY)
 */
public record HttpLimits(
    Duration headerTimeout,
    Duration bodyTimeout,
    int maxHeaderSize,
    int maxBody,
    int maxConnections,
    int maxUnauthenticated,
    int maxUnauthenticatedPerAddress,
    int threads,
    int queue) {

  public static final Duration DEFAULT_HEADER_TIMEOUT = Duration.ofSeconds(10);
  public static final Duration DEFAULT_BODY_TIMEOUT = Duration.ofSeconds(30);
  public static final int DEFAULT_MAX_HEADER_SIZE = 8192;
  public static final int DEFAULT_MAX_CONNECTIONS = 256;
  public static final int DEFAULT_MAX_UNAUTHENTICATED = 128;
  public static final int DEFAULT_MAX_UNAUTHENTICATED_PER_ADDRESS = 32;

  private static final Duration MIN_TIMEOUT = Duration.ofMillis(100);

  public HttpLimits {
    Objects.requireNonNull(headerTimeout, "headerTimeout");
    Objects.requireNonNull(bodyTimeout, "bodyTimeout");
    if (headerTimeout.compareTo(MIN_TIMEOUT) < 0 || bodyTimeout.compareTo(MIN_TIMEOUT) < 0) {
      throw new IllegalArgumentException("timeouts must be at least 100ms");
    }
    if (maxHeaderSize < 1024
        || maxBody < 1024
        || maxUnauthenticatedPerAddress < 1
        || maxUnauthenticated < maxUnauthenticatedPerAddress
        || maxConnections < maxUnauthenticated
        || threads < 1
        || queue < 0) {
      throw new IllegalArgumentException("inconsistent HTTP limits: " + describe0());
    }
  }

  /** The defaults, with this server's body limit, threads and queue. */
  public static HttpLimits defaults(int maxBody, int threads, int queue) {
    return new HttpLimits(
        DEFAULT_HEADER_TIMEOUT,
        DEFAULT_BODY_TIMEOUT,
        DEFAULT_MAX_HEADER_SIZE,
        maxBody,
        DEFAULT_MAX_CONNECTIONS,
        DEFAULT_MAX_UNAUTHENTICATED,
        DEFAULT_MAX_UNAUTHENTICATED_PER_ADDRESS,
        threads,
        queue);
  }

  /**
   * Reads the keys above from {@code t} (the server's config object), {@code dflt} for each one
   * absent; problems are recorded in {@code t}'s problems, naming the key.
   */
  public static HttpLimits read(ConfigTree t, HttpLimits dflt) {
    Duration header = t.duration("headerTimeout", dflt.headerTimeout(), MIN_TIMEOUT);
    Duration body = t.duration("bodyTimeout", dflt.bodyTimeout(), MIN_TIMEOUT);
    int maxHeader = t.integer("maxHeaderSize", dflt.maxHeaderSize(), 1024, 65536);
    int maxBody = t.integer("maxBody", dflt.maxBody(), 1024, 16 * 1024 * 1024);
    int conns = t.integer("maxConnections", dflt.maxConnections(), 1, 65536);
    int unauth = t.integer("maxUnauthenticated", dflt.maxUnauthenticated(), 1, 65536);
    int perAddress =
        t.integer("maxUnauthenticatedPerAddress", dflt.maxUnauthenticatedPerAddress(), 1, 65536);
    int threads = t.integer("threads", dflt.threads(), 1, 64);
    int queue = t.integer("queue", dflt.queue(), 0, 1024);
    if (unauth > conns) {
      t.problems()
          .add(
              t.keyOf("maxUnauthenticated"),
              "is " + unauth + "; must not exceed maxConnections (" + conns + ")");
      unauth = conns;
    }
    if (perAddress > unauth) {
      t.problems()
          .add(
              t.keyOf("maxUnauthenticatedPerAddress"),
              "is " + perAddress + "; must not exceed maxUnauthenticated (" + unauth + ")");
      perAddress = unauth;
    }
    return new HttpLimits(
        header, body, maxHeader, maxBody, conns, unauth, perAddress, threads, queue);
  }

  /** The limits as {@code key=value} pairs for the effective-config log line. */
  public String describe() {
    return describe0();
  }

  private String describe0() {
    return "headerTimeout="
        + Durations.human(headerTimeout)
        + " bodyTimeout="
        + Durations.human(bodyTimeout)
        + " maxHeaderSize="
        + maxHeaderSize
        + " maxBody="
        + maxBody
        + " maxConnections="
        + maxConnections
        + " maxUnauthenticated="
        + maxUnauthenticated
        + " maxUnauthenticatedPerAddress="
        + maxUnauthenticatedPerAddress
        + " threads="
        + threads
        + " queue="
        + queue;
  }
}
