package io.dbjobs.manager.daemon;

import io.dbjobs.manager.cli.DbJobsCli;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** {@code dbjobs serve} as a separate process, so a test can SIGKILL or SIGTERM it. */
public final class DaemonProcess implements AutoCloseable {
  private final Process process;
  private final Path log;

  private DaemonProcess(Process process, Path log) {
    this.process = process;
    this.log = log;
  }

  public static DaemonProcess start(Path config, Path log) {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd =
        List.of(
            java,
            "-Xmx160m",
            "-XX:TieredStopAtLevel=1",
            "-cp",
            System.getProperty("java.class.path"),
            DbJobsCli.class.getName(),
            "--config",
            config.toString(),
            "serve");
    try {
      Process p =
          new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
      return new DaemonProcess(p, log);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start dbjobs serve", e);
    }
  }

  public boolean alive() {
    return process.isAlive();
  }

  /** SIGTERM, then the exit status. */
  public int terminate(Duration timeout) throws InterruptedException {
    process.destroy();
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new AssertionError(
          "dbjobs serve did not exit within " + timeout + " of SIGTERM:\n" + log());
    }
    return process.exitValue();
  }

  /** SIGKILL: the daemon dies without a word, like a crashed host. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor();
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
    }
  }
}
