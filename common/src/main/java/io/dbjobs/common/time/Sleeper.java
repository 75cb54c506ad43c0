package io.dbjobs.common.time;

import java.time.Duration;

/** Waits. Injected wherever code polls or backs off, so tests can run without waiting. */
@FunctionalInterface
public interface Sleeper {
  Sleeper SYSTEM = d -> Thread.sleep(d.toMillis());

  void sleep(Duration duration) throws InterruptedException;
}
