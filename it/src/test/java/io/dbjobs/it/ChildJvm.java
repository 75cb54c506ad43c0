package io.dbjobs.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A dbjobs program (the agent, the manager's CLI) run as a separate JVM on the test's classpath,
 * its output in a log file, so a test can kill it with SIGKILL mid-work. {@code prefix} runs it
 * under another command ({@code ip netns exec NS}, which execs it: the pid is the JVM's). Closing
 * it kills the process if it still runs, and waits for it.
 */
final class ChildJvm implements AutoCloseable {
  private final Process process;
  private final Path log;
  private final String what;

  private ChildJvm(Process process, Path log, String what) {
    this.process = process;
    this.log = log;
    this.what = what;
  }

  /** {@code dbjobs-agent --config CONFIG}, under {@code prefix}. */
  static ChildJvm agent(List<String> prefix, Path config, Path log) {
    return start(prefix, "io.dbjobs.agent.AgentMain", List.of("--config", config.toString()), log);
  }

  /** {@code dbjobs --config CONFIG ARGS}. */
  static ChildJvm cli(Path config, Path log, String... args) {
    List<String> all = new ArrayList<>(List.of("--config", config.toString()));
    all.addAll(List.of(args));
    return start(List.of(), "io.dbjobs.manager.cli.DbJobsCli", all, log);
  }

  private static ChildJvm start(List<String> prefix, String main, List<String> args, Path log) {
    List<String> cmd = new ArrayList<>(prefix);
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx192m");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(main);
    cmd.addAll(args);
    try {
      Process p =
          new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
      return new ChildJvm(p, log, main + " " + String.join(" ", args));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + main, e);
    }
  }

  long pid() {
    return process.pid();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** The processes this JVM started (its tools), alive now. */
  List<ProcessHandle> descendants() {
    return process.descendants().filter(ProcessHandle::isAlive).toList();
  }

  /** SIGKILL, as {@code kill -9}: the process dies without a word; returns once it is gone. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      throw new AssertionError(what + " still runs 30 s after SIGKILL");
    }
  }

  /** Waits for the exit status; an AssertionError with the log when it runs on after timeout. */
  int awaitExit(Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new AssertionError(what + " still runs after " + timeout + "; log:\n" + log());
    }
    return process.exitValue();
  }

  String log() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "(log " + log + " unreadable: " + e + ")";
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
