package io.dbjobs.common.stream;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;

/**
 * Where a sender connects and which stream it sends: the listener's host and port, the job's stream
 * id and its secret, and, with TLS, who the listener must be. {@link #toString()} never shows the
 * secret.
 *
 * @param secretHex the job's secret, 64 hex characters ({@link StreamSecret#mint()})
 * @param listenerIdentity with TLS on, the names the listener's certificate must carry (the node or
 *     manager the job names), or {@link PeerIdentity#ANY}; the sender sends nothing to a listener
 *     whose certificate does not match. Null when not given: fine without TLS, refused with TLS
 *     (BAD_PARAMETER, before connecting), so that accepting any peer is always a visible choice.
 */
public record StreamTarget(
    String host, int port, String streamId, String secretHex, PeerIdentity listenerIdentity) {
  public StreamTarget {
    if (host == null || host.isBlank()) {
      throw new DbJobsException(ErrorCode.BAD_PARAMETER, "stream target host is missing");
    }
    if (port < 1 || port > 65535) {
      throw new DbJobsException(
          ErrorCode.BAD_PARAMETER, "stream target port " + port + " is not between 1 and 65535");
    }
    if (!StreamProtocol.isValidStreamId(streamId)) {
      throw new DbJobsException(
          ErrorCode.BAD_PARAMETER,
          "stream id '"
              + WireCodec.printable(String.valueOf(streamId))
              + "' is invalid: use 1 to 128 characters from [A-Za-z0-9._:@/-]");
    }
    StreamSecret.keyBytes(secretHex, streamId);
  }

  /** A target without a listener identity: for plain TCP only (a TLS send is refused). */
  public StreamTarget(String host, int port, String streamId, String secretHex) {
    this(host, port, streamId, secretHex, null);
  }

  /** {@code host:port}. */
  public String address() {
    return host.contains(":") ? "[" + host + "]:" + port : host + ":" + port;
  }

  @Override
  public String toString() {
    return "StreamTarget["
        + address()
        + ", stream "
        + streamId
        + (listenerIdentity == null ? "" : ", listener " + listenerIdentity.describe())
        + ", secret ****]";
  }
}
