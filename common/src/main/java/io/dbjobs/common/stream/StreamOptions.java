package io.dbjobs.common.stream;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.time.Durations;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Settings of one side of a stream. Every check runs at construction and all problems are reported
 * at once (CONFIG_INVALID, naming each setting).
 *
 * @param connectTimeout sender: how long to wait for the TCP connection (default 10 s)
 * @param handshakeTimeout both sides: from TCP connect to an authenticated stream, TLS included
 *     (default 10 s); a listener closes a connection that has not proven the secret by then
 * @param idleTimeout both sides: how long bytes may stop moving (default 60 s). The receiver fails
 *     a stream when the sender sends nothing while it wants bytes, or when its sink takes nothing
 *     while it holds bytes back; the sender fails when the receiver takes nothing, or sends neither
 *     ACK nor keepalive after the trailer. A source that produces nothing for this long (a dump
 *     waiting for a lock) trips the receiver's idle timeout.
 * @param jobTimeout the whole stream, from connect (sender) or authentication (listener) to the ACK
 *     (default 24 h)
 * @param compression sender: how DATA is compressed (default none); a listener accepts any
 * @param tls mutual TLS on both ends, or null for plain TCP (default null)
 * @param chunkBytes sender: the size of DATA frames and of reads from the source (default 256 KiB,
 *     4 KiB to 1 MiB)
 * @param maxUnauthenticated listener: how many connections that have not yet proven a secret it
 *     holds at once (default 64). When it is full, a connection from an address that holds fewer of
 *     them than the busiest address closes that address's oldest one; any other is closed at once,
 *     before a byte is read.
 * @param maxUnauthenticatedPerAddress listener: how many of those may come from one IPv4 address or
 *     one IPv6 /64 (default 8); one more is closed at once, before a byte is read. At most {@code
 *     maxUnauthenticated}.
 */
public record StreamOptions(
    Duration connectTimeout,
    Duration handshakeTimeout,
    Duration idleTimeout,
    Duration jobTimeout,
    Compression compression,
    StreamTls tls,
    int chunkBytes,
    int maxUnauthenticated,
    int maxUnauthenticatedPerAddress) {

  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
  public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);
  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(60);
  public static final Duration DEFAULT_JOB_TIMEOUT = Duration.ofHours(24);
  public static final int DEFAULT_CHUNK_BYTES = 256 << 10;
  public static final int MIN_CHUNK_BYTES = 4 << 10;
  public static final int DEFAULT_MAX_UNAUTHENTICATED = 64;
  public static final int DEFAULT_MAX_UNAUTHENTICATED_PER_ADDRESS = 8;

  public StreamOptions {
    List<String> problems = new ArrayList<>();
    checkPositive(problems, "connectTimeout", connectTimeout);
    checkPositive(problems, "handshakeTimeout", handshakeTimeout);
    checkPositive(problems, "idleTimeout", idleTimeout);
    checkPositive(problems, "jobTimeout", jobTimeout);
    if (compression == null) {
      problems.add("compression is missing (use none, zstd or lz4)");
    }
    if (chunkBytes < MIN_CHUNK_BYTES || chunkBytes > StreamProtocol.MAX_DATA_PAYLOAD) {
      problems.add(
          "chunkBytes must be between "
              + MIN_CHUNK_BYTES
              + " and "
              + StreamProtocol.MAX_DATA_PAYLOAD
              + " (got "
              + chunkBytes
              + ")");
    }
    if (maxUnauthenticated < 1) {
      problems.add("maxUnauthenticated must be at least 1 (got " + maxUnauthenticated + ")");
    }
    if (maxUnauthenticatedPerAddress < 1 || maxUnauthenticatedPerAddress > maxUnauthenticated) {
      problems.add(
          "maxUnauthenticatedPerAddress must be between 1 and maxUnauthenticated ("
              + maxUnauthenticated
              + "), got "
              + maxUnauthenticatedPerAddress);
    }
    if (!problems.isEmpty()) {
      throw new DbJobsException(
          ErrorCode.CONFIG_INVALID, "invalid stream options: " + String.join("; ", problems));
    }
  }

  /** The settings before the caps on unauthenticated connections, which get their defaults. */
  public StreamOptions(
      Duration connectTimeout,
      Duration handshakeTimeout,
      Duration idleTimeout,
      Duration jobTimeout,
      Compression compression,
      StreamTls tls,
      int chunkBytes) {
    this(
        connectTimeout,
        handshakeTimeout,
        idleTimeout,
        jobTimeout,
        compression,
        tls,
        chunkBytes,
        DEFAULT_MAX_UNAUTHENTICATED,
        DEFAULT_MAX_UNAUTHENTICATED_PER_ADDRESS);
  }

  /**
   * Connect 10 s, handshake 10 s, idle 60 s, job 24 h, no compression, no TLS, 256 KiB chunks, at
   * most 64 unauthenticated connections per listener and 8 per address.
   */
  public static StreamOptions defaults() {
    return new StreamOptions(
        DEFAULT_CONNECT_TIMEOUT,
        DEFAULT_HANDSHAKE_TIMEOUT,
        DEFAULT_IDLE_TIMEOUT,
        DEFAULT_JOB_TIMEOUT,
        Compression.NONE,
        null,
        DEFAULT_CHUNK_BYTES,
        DEFAULT_MAX_UNAUTHENTICATED,
        DEFAULT_MAX_UNAUTHENTICATED_PER_ADDRESS);
  }

  public StreamOptions withConnectTimeout(Duration d) {
    return new StreamOptions(
        d,
        handshakeTimeout,
        idleTimeout,
        jobTimeout,
        compression,
        tls,
        chunkBytes,
        maxUnauthenticated,
        maxUnauthenticatedPerAddress);
  }

  public StreamOptions withHandshakeTimeout(Duration d) {
    return new StreamOptions(
        connectTimeout,
        d,
        idleTimeout,
        jobTimeout,
        compression,
        tls,
        chunkBytes,
        maxUnauthenticated,
        maxUnauthenticatedPerAddress);
  }

  public StreamOptions withIdleTimeout(Duration d) {
    return new StreamOptions(
        connectTimeout,
        handshakeTimeout,
        d,
        jobTimeout,
        compression,
        tls,
        chunkBytes,
        maxUnauthenticated,
        maxUnauthenticatedPerAddress);
  }

  public StreamOptions withJobTimeout(Duration d) {
    return new StreamOptions(
        connectTimeout,
        handshakeTimeout,
        idleTimeout,
        d,
        compression,
        tls,
        chunkBytes,
        maxUnauthenticated,
        maxUnauthenticatedPerAddress);
  }

  public StreamOptions withCompression(Compression c) {
    return new StreamOptions(
        connectTimeout,
        handshakeTimeout,
        idleTimeout,
        jobTimeout,
        c,
        tls,
        chunkBytes,
        maxUnauthenticated,
        maxUnauthenticatedPerAddress);
  }

  public StreamOptions withTls(StreamTls t) {
    return new StreamOptions(
        connectTimeout,
        handshakeTimeout,
        idleTimeout,
        jobTimeout,
        compression,
        t,
        chunkBytes,
        maxUnauthenticated,
        maxUnauthenticatedPerAddress);
  }

  public StreamOptions withChunkBytes(int n) {
    return new StreamOptions(
        connectTimeout,
        handshakeTimeout,
        idleTimeout,
        jobTimeout,
        compression,
        tls,
        n,
        maxUnauthenticated,
        maxUnauthenticatedPerAddress);
  }

  /**
   * Listener: the caps on connections that have not yet proven a secret, in all and per address.
   */
  public StreamOptions withMaxUnauthenticated(int perListener, int perAddress) {
    return new StreamOptions(
        connectTimeout,
        handshakeTimeout,
        idleTimeout,
        jobTimeout,
        compression,
        tls,
        chunkBytes,
        perListener,
        perAddress);
  }

  private static void checkPositive(List<String> problems, String name, Duration d) {
    if (d == null) {
      problems.add(name + " is missing");
    } else if (d.isNegative() || d.isZero()) {
      problems.add(name + " must be positive (got " + Durations.human(d) + ")");
    }
  }
}
