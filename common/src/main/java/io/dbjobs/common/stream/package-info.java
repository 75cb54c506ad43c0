/**
 * The dbjobs stream: wire protocol v1 and its Netty implementation. <b>Public API</b>: the wire
 * format, and the classes and interfaces declared public here, change only with a new protocol
 * version; package-private classes carry no compatibility promise.
 *
 * <p>A stream moves one job's bytes (a backup, a dump, a log) from a sender to a listener over TCP,
 * optionally with mutual TLS ({@link io.dbjobs.common.stream.StreamTls}) and compression ({@link
 * io.dbjobs.common.stream.Compression}). The full specification is {@code docs/stream-protocol.md};
 * in short:
 *
 * <ul>
 *   <li>Frames are {@code [type:1][length:4, big-endian][payload]}; DATA payloads are at most 1
 *       MiB, other payloads at most 64 KiB, handshake frames exactly what they need (HELLO 176
 *       bytes). Before authentication a listener takes only HELLO, PROOF and a short ERROR, caps
 *       its unauthenticated connections per listener and per address, and reads them into small
 *       heap buffers.
 *   <li>The sender sends HELLO (magic, version, stream id, client nonce, compression, size hint).
 *       The listener answers CHALLENGE (server nonce, listener proof); the sender checks the proof,
 *       so no data goes to an impostor, and sends PROOF. Proofs are HMAC-SHA256 keyed by the job's
 *       secret ({@link io.dbjobs.common.stream.StreamSecret}) over a direction label, the stream
 *       id, both nonces and the HELLO; they are compared in constant time.
 *   <li>Only after a valid PROOF does the listener open the sink ({@link
 *       io.dbjobs.common.stream.SinkFactory}) and send ACCEPT. Then DATA frames, then a TRAILER
 *       (uncompressed byte count, SHA-256, metadata as a JSON object of strings, and a MAC), or an
 *       ABORT when the sender's source failed.
 *   <li>The receiver verifies count and digest, finishes the sink, and only then sends ACK (with
 *       the sink's message and a MAC); otherwise NACK with an error code and message. The sender
 *       reports success only after a valid ACK.
 *   <li>ERROR (code, message) ends a connection at any point; KEEPALIVE keeps the sender waiting
 *       while a sink finishes.
 *   <li>With TLS, each end checks that the peer's certificate names the expected peer ({@link
 *       io.dbjobs.common.stream.PeerIdentity}) before HELLO (sender) or before CHALLENGE
 *       (listener).
 * </ul>
 *
 * <p>Entry points: {@link io.dbjobs.common.stream.StreamListener} with {@link
 * io.dbjobs.common.stream.StreamListener#expect} on the receiving side; {@link
 * io.dbjobs.common.stream.StreamSender#send} on the sending side; {@link
 * io.dbjobs.common.stream.FileSink} stores a stream in a file, all or nothing.
 */
package io.dbjobs.common.stream;
