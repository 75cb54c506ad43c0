package io.dbjobs.common.stream;

import java.time.Duration;

/**
 * A stream the receiver acknowledged.
 *
 * @param bytes uncompressed bytes sent
 * @param sha256Hex their SHA-256, lowercase hex
 * @param receiverMessage what the receiver's sink said in its ACK (e.g. a catalog id)
 * @param elapsed from connect to ACK
 * @param wireBytes DATA payload bytes on the wire (after compression)
 */
public record SendResult(
    long bytes, String sha256Hex, String receiverMessage, Duration elapsed, long wireBytes) {}
