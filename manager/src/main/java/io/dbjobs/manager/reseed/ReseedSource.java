package io.dbjobs.manager.reseed;

import io.dbjobs.common.stream.StreamTarget;

/**
 * Where a reseed's data comes from: it sends one authenticated stream to the joiner's listener once
 * the joiner waits for it, and fails with a clear message if it cannot.
 */
interface ReseedSource {
  /** "backup 20261123T...-db3-physical", "a dump of db1 taken now", "donor db3", for messages. */
  String describe();

  /**
   * The names the sender's TLS certificate carries when it is a node (a donor): its name and host,
   * comma-separated; null when the manager itself sends.
   */
  default String senderIdentity() {
    return null;
  }

  /** Expected bytes, for the joiner's disk check and progress; null when unknown. */
  Long expectedBytes();

  /**
   * Sends the data to {@code target} (the joiner's listener, its stream id and secret) and returns
   * when the joiner acknowledged it.
   */
  void send(StreamTarget target) throws InterruptedException;
}
