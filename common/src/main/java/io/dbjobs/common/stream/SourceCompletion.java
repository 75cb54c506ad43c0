package io.dbjobs.common.stream;

import java.io.IOException;
import java.util.Map;

/**
 * Called by the sender once its source reached end of file, before the trailer is sent: it returns
 * the trailer metadata (GTID position, tool version, ...), or throws when the source failed (the
 * tool exited non-zero). On a throw the sender sends ABORT with the exception's message, and the
 * receiver discards everything it got.
 */
@FunctionalInterface
public interface SourceCompletion {
  Map<String, String> complete() throws IOException, InterruptedException;

  /** No metadata; the source cannot fail after EOF (a file, a byte array). */
  static SourceCompletion none() {
    return Map::of;
  }

  /** Fixed metadata. */
  static SourceCompletion of(Map<String, String> meta) {
    Map<String, String> copy = Map.copyOf(meta);
    return () -> copy;
  }
}
