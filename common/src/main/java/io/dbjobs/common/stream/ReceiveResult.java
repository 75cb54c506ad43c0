package io.dbjobs.common.stream;

import java.time.Duration;
import java.util.Map;

/**
 * A stream received, verified, finished by its sink and acknowledged.
 *
 * @param remoteAddress the sender, {@code host:port}
 * @param bytes uncompressed bytes received
 * @param sha256Hex their SHA-256, lowercase hex, equal to the sender's
 * @param metadata the sender's trailer metadata
 * @param sinkMessage what the sink's {@code finish} returned (sent in the ACK)
 * @param elapsed from authentication to ACK
 * @param wireBytes DATA payload bytes on the wire (before decompression)
 */
public record ReceiveResult(
    String streamId,
    String remoteAddress,
    long bytes,
    String sha256Hex,
    Map<String, String> metadata,
    String sinkMessage,
    Duration elapsed,
    Compression compression,
    long wireBytes) {}
