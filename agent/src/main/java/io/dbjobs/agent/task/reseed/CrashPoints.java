package io.dbjobs.agent.task.reseed;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Test-only crash points: off unless the JVM runs with {@code -Ddbjobs.test.crashAt=<name>} (a
 * {@link CrashPoint#id()}); then the agent halts with exit status 137, as after {@code kill -9},
 * the moment it reaches that point: no finally block, no shutdown hook, no flush. Unit tests give
 * the code under test a {@link Hook} instead, which stops the calling thread there (see the tests'
 * {@code FrozenAt}).
 *
 * <p>Production code calls {@link #reach} at every step of a datadir swap and of a logical
 * set-aside; with the property unset, that is one field read.
 */
public final class CrashPoints {
  private static final Logger LOG = LoggerFactory.getLogger(CrashPoints.class);

  /** The system property naming the point to halt at. */
  public static final String PROPERTY = "dbjobs.test.crashAt";

  /** The exit status of a halt at a crash point: that of a process killed by SIGKILL. */
  public static final int EXIT_STATUS = 137;

  /** What happens at a point. */
  @FunctionalInterface
  public interface Hook {
    void reached(CrashPoint point);
  }

  private static final CrashPoints NONE = new CrashPoints(p -> {});

  private final Hook hook;

  private CrashPoints(Hook hook) {
    this.hook = hook;
  }

  /** No crash anywhere. */
  public static CrashPoints none() {
    return NONE;
  }

  /** Points that call {@code hook} (tests). */
  public static CrashPoints with(Hook hook) {
    return new CrashPoints(hook);
  }

  /**
   * The points as the JVM's {@code dbjobs.test.crashAt} sets them: none when unset; an unknown name
   * is refused, so a misspelt test cannot pass by never crashing.
   */
  public static CrashPoints fromSystemProperty() {
    String at = System.getProperty(PROPERTY);
    if (at == null || at.isBlank()) {
      return NONE;
    }
    CrashPoint target =
        CrashPoint.byId(at.strip())
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        "-D" + PROPERTY + "=" + at + " names no crash point (see CrashPoint)"));
    LOG.warn("test crash point armed: this agent halts (exit {}) at {}", EXIT_STATUS, target);
    return new CrashPoints(
        p -> {
          if (p == target) {
            LOG.warn("crash point {} reached: halting now (test)", p);
            System.out.flush();
            System.err.flush();
            Runtime.getRuntime().halt(EXIT_STATUS);
          }
        });
  }

  /** The JVM option that arms {@code point} in an agent process. */
  public static String jvmOption(CrashPoint point) {
    return "-D" + PROPERTY + "=" + point.id();
  }

  /** Called by the code at {@code point}. */
  public void reach(CrashPoint point) {
    hook.reached(point);
  }

  /**
   * Called after each of {@code total} items: reaches {@code point} after the middle one (the first
   * when there is only one), so "half-way" points exist however many entries there are.
   */
  public void reachHalfway(CrashPoint point, int doneSoFar, int total) {
    if (doneSoFar == Math.max(1, total / 2)) {
      hook.reached(point);
    }
  }

  /** True at the middle item of {@code total} (the one after which half-way points are reached). */
  public static boolean isHalfway(int doneSoFar, int total) {
    return doneSoFar == Math.max(1, total / 2);
  }
}
