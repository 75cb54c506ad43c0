package io.dbjobs.common.stream;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.stream.WireMessage.Data;
import java.util.ArrayDeque;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The queue between a connection's network thread and its sink worker. The network thread never
 * blocks: it offers DATA and the TRAILER, and stops reading from the socket while {@link
 * #queuedBytes()} is at the limit (see {@link ReceiverConnection}). A failure jumps the queue: once
 * set, {@link #take()} throws it, whatever is still queued.
 */
final class HandOff {
  /** The worker learns of a failure through this; it carries the first failure recorded. */
  static final class Failed extends RuntimeException {
    private final DbJobsException error;

    Failed(DbJobsException error) {
      super(error.getMessage(), error, false, false);
      this.error = error;
    }

    DbJobsException error() {
      return error;
    }
  }

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final ArrayDeque<WireMessage> items = new ArrayDeque<>();
  private final QueueGauge gauge;
  private volatile long queuedBytes;
  private volatile DbJobsException failure;
  private boolean closed;

  HandOff(QueueGauge gauge) {
    this.gauge = gauge;
  }

  /** Queues DATA (ownership passes to the queue) or the TRAILER. */
  void offer(WireMessage m) {
    lock.lock();
    try {
      if (closed) {
        release(m);
        return;
      }
      items.add(m);
      if (m instanceof Data d) {
        long n = d.content().readableBytes();
        queuedBytes += n;
        gauge.add(n);
      }
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Records a failure; the first one wins. */
  void fail(DbJobsException e) {
    lock.lock();
    try {
      if (failure == null) {
        failure = e;
      }
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** The first failure recorded, or null. */
  DbJobsException failure() {
    return failure;
  }

  void throwIfFailed() {
    DbJobsException f = failure;
    if (f != null) {
      throw new Failed(f);
    }
  }

  /**
   * The next DATA or TRAILER; blocks until there is one.
   *
   * @throws Failed when a failure was recorded, or the thread was interrupted (then the failure is
   *     the recorded one, or CANCELLED)
   */
  WireMessage take() {
    lock.lock();
    try {
      while (true) {
        throwIfFailed();
        WireMessage m = items.poll();
        if (m != null) {
          if (m instanceof Data d) {
            long n = d.content().readableBytes();
            queuedBytes -= n;
            gauge.add(-n);
          }
          return m;
        }
        try {
          changed.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          DbJobsException f = failure;
          throw new Failed(
              f != null
                  ? f
                  : new DbJobsException(ErrorCode.CANCELLED, "sink worker was interrupted"));
        }
      }
    } finally {
      lock.unlock();
    }
  }

  /** Bytes of DATA queued and not yet taken. */
  long queuedBytes() {
    return queuedBytes;
  }

  /** Releases what is queued; later offers are released at once. */
  void close() {
    lock.lock();
    try {
      closed = true;
      WireMessage m;
      while ((m = items.poll()) != null) {
        if (m instanceof Data d) {
          long n = d.content().readableBytes();
          queuedBytes -= n;
          gauge.add(-n);
        }
        release(m);
      }
    } finally {
      lock.unlock();
    }
  }

  private static void release(WireMessage m) {
    if (m instanceof Data d) {
      d.release();
    }
  }
}
