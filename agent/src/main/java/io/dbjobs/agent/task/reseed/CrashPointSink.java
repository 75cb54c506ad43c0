package io.dbjobs.agent.task.reseed;

import io.dbjobs.common.stream.StreamSink;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;

/**
 * A load's sink with its crash points: {@link CrashPoint#ASIDE_LOADING} once the loader took its
 * first bytes, {@link CrashPoint#ASIDE_LOAD_ENDED} once it ran every statement (before the load is
 * recorded as complete).
 */
final class CrashPointSink implements StreamSink {
  private final StreamSink loader;
  private final CrashPoints crash;
  private boolean wrote;

  CrashPointSink(StreamSink loader, CrashPoints crash) {
    this.loader = loader;
    this.crash = crash;
  }

  @Override
  public void write(ByteBuffer data) throws IOException, InterruptedException {
    boolean some = data.hasRemaining();
    loader.write(data);
    if (some && !wrote) {
      wrote = true;
      crash.reach(CrashPoint.ASIDE_LOADING);
    }
  }

  @Override
  public String finish(Map<String, String> meta, long bytes, String sha256Hex)
      throws IOException, InterruptedException {
    String done = loader.finish(meta, bytes, sha256Hex);
    crash.reach(CrashPoint.ASIDE_LOAD_ENDED);
    return done;
  }

  @Override
  public void abort(String reason) {
    loader.abort(reason);
  }
}
