package io.dbjobs.agent;

import io.dbjobs.agent.task.reseed.CrashPoint;
import io.dbjobs.agent.task.reseed.CrashPoints;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code dbjobs-agent} as a real separate process (the test's classpath, {@code -Xmx128m}), its
 * output in a log file, for signal and crash tests:
 *
 * <pre>{@code
 * try (AgentProcess a = AgentProcess.crashingAt(CrashPoint.SWAP_OUT_HALF, config, dir.resolve("1.log"))) {
 *   ... submit a reseed, send its stream ...
 *   assertThat(a.awaitExit(WAIT)).isEqualTo(CrashPoints.EXIT_STATUS); // 137, as after kill -9
 * }
 * try (AgentProcess a = AgentProcess.start(config, dir.resolve("2.log"))) {
 *   ... the restarted agent settles the swap; assert on the job row, the data, a.log() ...
 * }
 * }</pre>
 *
 * Closing it kills the process if it still runs.
 */
public final class AgentProcess implements AutoCloseable {
  private final Process process;
  private final Path log;

  private AgentProcess(Process process, Path log) {
    this.process = process;
    this.log = log;
  }

  /** Starts an agent with {@code config}, its output (stdout and stderr) in {@code log}. */
  public static AgentProcess start(Path config, Path log) {
    return start(config, log, List.of());
  }

  /** Starts an agent that halts with exit status 137 when it reaches {@code point}. */
  public static AgentProcess crashingAt(CrashPoint point, Path config, Path log) {
    return start(config, log, List.of(CrashPoints.jvmOption(point)));
  }

  /** Starts an agent with extra JVM options (system properties, say). */
  public static AgentProcess start(Path config, Path log, List<String> jvmOptions) {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd = new ArrayList<>();
    cmd.add(java);
    cmd.add("-Xmx128m");
    cmd.addAll(jvmOptions);
    cmd.addAll(
        List.of(
            "-cp",
            System.getProperty("java.class.path"),
            AgentMain.class.getName(),
            "--config",
            config.toString()));
    try {
      Process p =
          new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
      return new AgentProcess(p, log);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the agent process", e);
    }
  }

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** Sends SIGTERM and waits for the exit status. */
  public int terminate(Duration timeout) throws InterruptedException {
    process.destroy();
    return awaitExit(timeout);
  }

  /** SIGKILL: the agent dies without a word, like a crashed host. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor();
  }

  /**
   * Waits for the process to end by itself (a crash point, say) and returns its exit status.
   *
   * @throws AssertionError with the agent's log when it is still running after {@code timeout}
   */
  public int awaitExit(Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new AssertionError("agent still running after " + timeout + "; log:\n" + log());
    }
    return process.exitValue();
  }

  public String log() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "(log unreadable: " + e + ")";
    }
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
      try {
        process.waitFor(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
