package io.dbjobs.common.stream;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.time.Durations;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * A stream a {@link StreamListener} waits for: exactly one sender that proves it knows the secret
 * gets to deliver it. {@link #result()} completes with the {@link ReceiveResult} once the sink
 * finished and the ACK went out, or exceptionally with a {@link DbJobsException} (after the sink
 * was aborted). Connections that fail to authenticate, or whose TLS certificate does not name the
 * expected sender, do not affect it.
 */
public final class ExpectedStream {
  enum State {
    WAITING,
    CLAIMED,
    DONE
  }

  private final String streamId;
  private final byte[] key;
  private final PeerIdentity senderIdentity;
  private final SinkFactory sinks;
  private final ProgressListener progress;
  private final String listenerAddress;
  private final Consumer<ExpectedStream> onDone;
  private final CompletableFuture<ReceiveResult> result = new CompletableFuture<>();
  private State state = State.WAITING;
  private ReceiverConnection connection;
  private String sender;

  ExpectedStream(
      String streamId,
      byte[] key,
      PeerIdentity senderIdentity,
      SinkFactory sinks,
      ProgressListener progress,
      String listenerAddress,
      Consumer<ExpectedStream> onDone) {
    this.streamId = streamId;
    this.key = key;
    this.senderIdentity = senderIdentity;
    this.sinks = sinks;
    this.progress = progress == null ? ProgressListener.NONE : progress;
    this.listenerAddress = listenerAddress;
    this.onDone = onDone;
    result.whenComplete(
        (r, t) -> {
          if (state() != State.DONE) {
            cancel(
                new DbJobsException(
                    ErrorCode.CANCELLED,
                    "stream "
                        + streamId
                        + " cancelled: its result future was completed by caller"));
          }
        });
  }

  public String streamId() {
    return streamId;
  }

  /**
   * Completes when the stream was received and acknowledged. Completing or cancelling this future
   * from outside cancels the stream.
   */
  public CompletableFuture<ReceiveResult> result() {
    return result;
  }

  /**
   * Waits for the result.
   *
   * @throws DbJobsException the stream's failure; STREAM_TIMEOUT when it is not done within {@code
   *     timeout} (the stream goes on: {@link #cancel()} it if it should not)
   */
  public ReceiveResult await(Duration timeout) throws InterruptedException {
    try {
      return result.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      throw new DbJobsException(
          ErrorCode.STREAM_TIMEOUT,
          "stream "
              + streamId
              + " on "
              + listenerAddress
              + " not received within "
              + Durations.human(timeout)
              + (isConnected() ? " (a sender is connected)" : " (no sender connected)"),
          e);
    } catch (ExecutionException e) {
      DbJobsException d = DbJobsException.from(e.getCause(), "stream " + streamId);
      throw new DbJobsException(d.code(), d.getMessage(), d);
    }
  }

  /** Whether an authenticated sender is delivering this stream now. */
  public synchronized boolean isConnected() {
    return state == State.CLAIMED;
  }

  /**
   * Cancels the stream: a waiting one fails at once with CANCELLED; one in progress has its sink
   * aborted and its connection closed, then fails with CANCELLED. A stream whose sink is already
   * finishing may still complete normally.
   *
   * @return false when the stream was already done
   */
  public boolean cancel() {
    return cancel(
        new DbJobsException(
            ErrorCode.CANCELLED,
            "stream " + streamId + " on " + listenerAddress + " was cancelled by the receiver"));
  }

  boolean cancel(DbJobsException reason) {
    ReceiverConnection c;
    synchronized (this) {
      if (state == State.DONE) {
        return false;
      }
      if (state == State.WAITING) {
        state = State.DONE;
        c = null;
      } else {
        c = connection;
      }
    }
    if (c == null) {
      result.completeExceptionally(reason);
      onDone.accept(this);
    } else {
      c.cancel(reason);
    }
    return true;
  }

  synchronized State state() {
    return state;
  }

  /** The sender's address once claimed, else null. */
  synchronized String sender() {
    return sender;
  }

  synchronized boolean tryClaim(ReceiverConnection c, String remote) {
    if (state != State.WAITING) {
      return false;
    }
    state = State.CLAIMED;
    connection = c;
    sender = remote;
    return true;
  }

  byte[] key() {
    return key;
  }

  /**
   * Who must send this stream when TLS is on (checked before CHALLENGE), or null when the caller
   * gave none (allowed only on a listener without TLS).
   */
  PeerIdentity senderIdentity() {
    return senderIdentity;
  }

  SinkFactory sinks() {
    return sinks;
  }

  ProgressListener progress() {
    return progress;
  }

  void complete(ReceiveResult r) {
    synchronized (this) {
      state = State.DONE;
    }
    result.complete(r);
    onDone.accept(this);
  }

  void fail(DbJobsException e) {
    synchronized (this) {
      state = State.DONE;
    }
    result.completeExceptionally(e);
    onDone.accept(this);
  }

  @Override
  public String toString() {
    return "ExpectedStream[" + streamId + " on " + listenerAddress + ", " + state() + "]";
  }
}
