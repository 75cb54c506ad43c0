package io.dbjobs.agent;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** {@code dbjobs-agent} as a real separate process, for signal and crash tests. */
final class AgentProcess implements AutoCloseable {
  private final Process process;
  private final Path log;

  private AgentProcess(Process process, Path log) {
    this.process = process;
    this.log = log;
  }

  static AgentProcess start(Path config, Path log) {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd =
        List.of(
            java,
            "-Xmx128m",
            "-cp",
            System.getProperty("java.class.path"),
            AgentMain.class.getName(),
            "--config",
            config.toString());
    try {
      Process p =
          new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
      return new AgentProcess(p, log);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the agent process", e);
    }
  }

  long pid() {
    return process.pid();
  }

  /** Sends SIGTERM and waits for the exit status. */
  int terminate(Duration timeout) throws InterruptedException {
    process.destroy();
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new AssertionError(
          "agent did not exit within " + timeout + " of SIGTERM; log:\n" + log());
    }
    return process.exitValue();
  }

  /** SIGKILL: the agent dies without a word, like a crashed host. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor();
  }

  String log() {
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
    }
  }
}
