package io.dbjobs.common.stream;

import java.io.IOException;

/**
 * Opens the sink of an expected stream. Called at most once per expected stream, on the stream's
 * worker thread, and only after the sender proved it knows the secret: no unauthenticated peer ever
 * causes a sink to be opened.
 */
@FunctionalInterface
public interface SinkFactory {
  /**
   * @throws IOException or any exception: the stream fails with SINK_FAILED (or the code of a
   *     thrown {@link io.dbjobs.common.DbJobsException}) and the sender is told before sending data
   */
  StreamSink open(StreamHello hello) throws IOException, InterruptedException;
}
