package io.dbjobs.common.stream;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;

/**
 * Shared setup of the socket tests: a sender, listeners on 127.0.0.1 port 0 that are closed after
 * each test, and a thread to run sends on while the test drives the other side.
 */
abstract class StreamFixture {
  static final String HOST = "127.0.0.1";
  static final Duration WAIT = Duration.ofSeconds(20);

  final StreamSender sender = new StreamSender();
  private final List<StreamListener> listeners = new ArrayList<>();
  private final ExecutorService sendThreads = Executors.newCachedThreadPool();

  /** Short timeouts so failure tests finish quickly; generous enough for a loaded 2-core box. */
  static StreamOptions fast() {
    return StreamOptions.defaults()
        .withHandshakeTimeout(Duration.ofSeconds(5))
        .withIdleTimeout(Duration.ofSeconds(10))
        .withJobTimeout(Duration.ofSeconds(60));
  }

  StreamListener listener(StreamOptions options) {
    StreamListener l = StreamListener.open(HOST, 0, options);
    listeners.add(l);
    return l;
  }

  StreamListener oneShotListener(StreamOptions options) {
    StreamListener l = StreamListener.openOneShot(HOST, 0, options);
    listeners.add(l);
    return l;
  }

  static StreamTarget target(StreamListener l, String streamId, String secret) {
    return new StreamTarget(HOST, l.port(), streamId, secret);
  }

  static StreamTarget target(
      StreamListener l, String streamId, String secret, PeerIdentity listenerIdentity) {
    return new StreamTarget(HOST, l.port(), streamId, secret, listenerIdentity);
  }

  /** Runs a send on another thread; the future fails with the sender's exception. */
  CompletableFuture<SendResult> sendAsync(Sending s) {
    CompletableFuture<SendResult> f = new CompletableFuture<>();
    Future<?> unused =
        sendThreads.submit(
            () -> {
              try {
                f.complete(s.send());
              } catch (Throwable t) {
                f.completeExceptionally(t);
              }
            });
    return f;
  }

  @FunctionalInterface
  interface Sending {
    SendResult send() throws Exception;
  }

  @AfterEach
  void closeEverything() {
    sendThreads.shutdownNow();
    for (StreamListener l : listeners) {
      l.close();
    }
    sender.close();
  }
}
