package io.dbjobs.manager.receive;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.stream.ExpectedStream;
import io.dbjobs.common.stream.PeerIdentity;
import io.dbjobs.common.stream.ProgressListener;
import io.dbjobs.common.stream.SinkFactory;
import io.dbjobs.common.stream.StreamListener;
import io.dbjobs.common.stream.StreamSecret;
import io.dbjobs.manager.config.NodeConfig;

/**
 * The manager's one stream listener, shared by everything that receives bytes from agents (backups,
 * logs). It knows the address agents are told to connect to. Thread-safe; close it once at
 * shutdown: expected streams still waiting are cancelled and their sinks aborted.
 */
public final class Receiver implements AutoCloseable {
  private final ReceiverSettings settings;
  private final StreamListener listener;

  private Receiver(ReceiverSettings settings, StreamListener listener) {
    this.settings = settings;
    this.listener = listener;
  }

  /**
   * Starts listening as {@code settings} say.
   *
   * @throws DbJobsException CONFIG_INVALID when the address cannot be bound (the message names the
   *     settings and the likely cause)
   */
  public static Receiver open(ReceiverSettings settings) {
    StreamListener l;
    try {
      l = StreamListener.open(settings.bind(), settings.port(), settings.streamOptions());
    } catch (DbJobsException e) {
      throw new DbJobsException(
          e.code(),
          e.getMessage()
              + "; check receiver.bind and receiver.port in the manager's config, and whether a"
              + " dbjobs serve daemon (or another dbjobs command waiting for a stream) holds the"
              + " port",
          e);
    }
    return new Receiver(settings, l);
  }

  public ReceiverSettings settings() {
    return settings;
  }

  /** The host written into job rows: where agents connect. */
  public String advertisedHost() {
    return settings.advertiseHost();
  }

  /** The port written into job rows: the advertised one, else the bound one. */
  public int advertisedPort() {
    return settings.advertisePort() != 0 ? settings.advertisePort() : listener.port();
  }

  /**
   * The name this manager's TLS certificate must carry for the agents: its advertised host, written
   * into the rows of the jobs that send here.
   */
  public String identity() {
    return advertisedHost();
  }

  /** {@code host:port} agents connect to. */
  public String advertisedAddress() {
    String h = advertisedHost();
    return (h.contains(":") ? "[" + h + "]" : h) + ":" + advertisedPort();
  }

  /** The local address this receiver listens on. */
  public String boundAddress() {
    return listener.address();
  }

  public boolean isOpen() {
    return listener.isOpen();
  }

  /**
   * Expects a stream under {@code streamId} with a freshly minted secret.
   *
   * @param sinks opened only after the sender proved it knows the secret
   * @param progress bytes received so far, at most every 250 ms
   * @param sender the node whose agent sends it: with TLS, its certificate must name the node or
   *     its host
   */
  public Expectation expect(
      String streamId, SinkFactory sinks, ProgressListener progress, NodeConfig sender) {
    String secret = StreamSecret.mint();
    ExpectedStream s =
        listener.expect(
            streamId,
            secret,
            PeerIdentity.of(sender.name(), sender.database().host()),
            sinks,
            progress);
    return new Expectation(streamId, secret, s);
  }

  /**
   * A registered stream and its secret, to be written into the job row of the sending agent. {@link
   * #toString()} never shows the secret.
   */
  public record Expectation(String streamId, String secretHex, ExpectedStream stream) {
    @Override
    public String toString() {
      return "Expectation[" + streamId + ", secret ****]";
    }
  }

  /** Stops listening; waiting streams are cancelled, sinks in progress aborted. Idempotent. */
  @Override
  public void close() {
    listener.close();
  }

  @Override
  public String toString() {
    return "Receiver[listening on "
        + listener.address()
        + ", advertised as "
        + advertisedAddress()
        + (settings.tls() == null ? "" : ", mutual TLS")
        + "]";
  }
}
