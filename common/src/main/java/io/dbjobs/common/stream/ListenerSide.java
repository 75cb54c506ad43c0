package io.dbjobs.common.stream;

/**
 * What a {@link ReceiverConnection} needs from its listener; a seam so the handshake can be tested
 * on an {@code EmbeddedChannel} without a server socket.
 */
interface ListenerSide {
  StreamOptions options();

  /** The expectation registered for this stream id, or null. */
  ExpectedStream lookup(String streamId);

  /** How a recently finished stream ended ("was received", "failed: ..."), or null. */
  String recentOutcome(String streamId);

  /**
   * Called on the network thread right after a connection authenticated and claimed a stream; it no
   * longer counts against the caps on unauthenticated connections.
   */
  void claimed(ExpectedStream stream, ReceiverConnection connection);

  /** A WARN about a connection that had not authenticated; rate-limited by the listener. */
  void preAuthWarning(String message);

  void register(ReceiverConnection connection);

  void unregister(ReceiverConnection connection);

  QueueGauge gauge();

  /** Starts the sink worker of a stream on its own thread, and returns that thread. */
  Thread startWorker(String streamId, Runnable worker);
}
