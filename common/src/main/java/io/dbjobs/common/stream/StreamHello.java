package io.dbjobs.common.stream;

import java.net.InetSocketAddress;

/**
 * What an authenticated sender announced, as given to {@link SinkFactory#open}.
 *
 * @param sizeHint uncompressed bytes the sender expects to send, or -1 when unknown
 * @param remote the sender's address
 * @param tls whether the connection is TLS (the sender's certificate was verified)
 */
public record StreamHello(
    String streamId,
    int version,
    Compression compression,
    long sizeHint,
    InetSocketAddress remote,
    boolean tls) {

  public boolean hasSizeHint() {
    return sizeHint >= 0;
  }
}
