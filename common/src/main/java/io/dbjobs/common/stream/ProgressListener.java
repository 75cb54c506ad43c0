package io.dbjobs.common.stream;

/**
 * Receives progress of a stream, at most every 250 ms and once more at the end of a successful
 * stream, so a job row can show bytes and rate. Called on the thread that moves the bytes: keep it
 * short (a queued row update, not a blocking SQL round trip). An exception it throws is logged and
 * otherwise ignored.
 */
@FunctionalInterface
public interface ProgressListener {
  ProgressListener NONE = p -> {};

  void onProgress(StreamProgress progress);
}
