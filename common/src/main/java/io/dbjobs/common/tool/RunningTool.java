package io.dbjobs.common.tool;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.time.Durations;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A started tool. Read {@link #stdout()} or write {@link #stdin()} as the command said, then {@link
 * #waitFor}. {@link #close()} kills the tool and its children if it still runs, so a
 * try-with-resources block never leaves a process behind.
 */
public final class RunningTool implements AutoCloseable {
  private static final int STDERR_LINES_IN_MESSAGES = 15;

  private final ToolCommand command;
  private final Process process;
  private final LinePump stderr;
  private final LinePump stdoutLines;
  private final long startNanos;
  private volatile boolean killed;

  RunningTool(ToolCommand command, Process process, LinePump stderr, LinePump stdoutLines) {
    this.command = command;
    this.process = process;
    this.stderr = stderr;
    this.stdoutLines = stdoutLines;
    this.startNanos = System.nanoTime();
  }

  public ToolCommand command() {
    return command;
  }

  public long pid() {
    return process.pid();
  }

  /** The tool's stdout, when the command asked for {@link ToolCommand.Output#PIPE}. */
  public InputStream stdout() {
    if (command.output() != ToolCommand.Output.PIPE) {
      throw new IllegalStateException(command.tool() + "'s stdout is not piped to the caller");
    }
    return process.getInputStream();
  }

  /** The tool's stdin, when the command asked for {@link ToolCommand.Input#PIPE}. */
  public OutputStream stdin() {
    if (command.input() != ToolCommand.Input.PIPE) {
      throw new IllegalStateException(command.tool() + "'s stdin is not piped from the caller");
    }
    return process.getOutputStream();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  public Duration elapsed() {
    return Duration.ofNanos(System.nanoTime() - startNanos);
  }

  /**
   * Waits for the tool to exit.
   *
   * @throws DbJobsException TIMEOUT (after killing it) when it runs longer than {@code timeout}
   */
  public ToolResult waitFor(Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      kill();
      throw new DbJobsException(
          ErrorCode.TIMEOUT,
          command.tool()
              + " did not finish within "
              + Durations.human(timeout)
              + " and was killed"
              + stderrSuffix());
    }
    awaitPumps();
    return new ToolResult(
        command.tool(),
        process.exitValue(),
        elapsed(),
        stdoutLines == null ? "" : stdoutLines.captured(),
        stderr.tail());
  }

  /** The last stderr lines so far. */
  public List<String> stderrTail() {
    return stderr.tail();
  }

  /** True when any stderr line so far contains {@code text} (within the kept tail). */
  public boolean stderrContains(String text) {
    return stderr.tail().stream().anyMatch(l -> l.contains(text));
  }

  /** The failure to report for this tool: "{tool} exited {code} after {time}; last stderr: ...". */
  public DbJobsException failure(ToolResult r, String what) {
    return new DbJobsException(
        ErrorCode.TOOL_FAILED,
        what
            + ": "
            + command.tool()
            + (killed ? " was killed" : " exited " + r.exitCode())
            + " after "
            + Durations.human(r.elapsed())
            + stderrSuffix());
  }

  private String stderrSuffix() {
    List<String> tail = stderr.tail();
    if (tail.isEmpty()) {
      return "; it wrote nothing to stderr";
    }
    List<String> last =
        tail.subList(Math.max(0, tail.size() - STDERR_LINES_IN_MESSAGES), tail.size());
    return "; last stderr lines:\n  " + String.join("\n  ", last);
  }

  /** Kills the tool and everything it started: SIGTERM, then SIGKILL after 5 s. */
  public void kill() {
    if (!process.isAlive()) {
      return;
    }
    killed = true;
    process.descendants().forEach(ProcessHandle::destroy);
    process.destroy();
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        process.waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  public boolean wasKilled() {
    return killed;
  }

  private void awaitPumps() throws InterruptedException {
    // a child that inherited stderr may keep it open after the tool exits: wait briefly only
    stderr.awaitEnd(Duration.ofSeconds(2));
    if (stdoutLines != null) {
      stdoutLines.awaitEnd(Duration.ofSeconds(2));
    }
  }

  @Override
  public void close() {
    kill();
  }
}
