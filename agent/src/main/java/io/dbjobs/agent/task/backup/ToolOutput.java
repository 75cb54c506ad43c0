package io.dbjobs.agent.task.backup;

import io.dbjobs.agent.task.JobContext;
import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.tool.RunningTool;
import io.dbjobs.common.tool.ToolCommand;
import io.dbjobs.common.tool.ToolResult;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.function.Function;

/**
 * A backup tool's stdout as the source of a stream. The tool starts on the first read, so it never
 * runs when the receiver cannot be reached or refuses the stream. Its bytes pass through a filter
 * that reads them on the way (an {@link io.dbjobs.common.backup.XbstreamScanner} or {@link
 * io.dbjobs.common.backup.DumpScanner}), unchanged and without being stored, so memory stays at one
 * read buffer. When the filter finds bytes that are not what the tool should write, the tool's own
 * exit status and stderr explain it (a tool that failed wrote garbage, or nothing useful). Closing
 * it kills the tool if it still runs.
 *
 * @param <F> the filter, read back after the end of the stream for the backup's position
 */
final class ToolOutput<F extends InputStream> extends InputStream {
  private static final Duration EXIT_AFTER_BAD_OUTPUT = Duration.ofSeconds(5);

  private final JobContext ctx;
  private final ToolCommand command;
  private final Function<InputStream, F> filter;
  private RunningTool tool;
  private F filtered;
  private long bytes;

  ToolOutput(JobContext ctx, ToolCommand command, Function<InputStream, F> filter) {
    this.ctx = ctx;
    this.command = command;
    this.filter = filter;
  }

  private void start() {
    if (tool == null) {
      tool = ctx.start(command);
      filtered = filter.apply(tool.stdout());
    }
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    start();
    int n;
    try {
      n = filtered.read(b, off, len);
    } catch (DbJobsException e) {
      throw explain(e);
    }
    if (n > 0) {
      bytes += n;
    }
    return n;
  }

  @Override
  public int available() throws IOException {
    return filtered == null ? 0 : filtered.available();
  }

  /** The running tool; null before the first read. */
  RunningTool tool() {
    return tool;
  }

  /** The filter the bytes went through; null before the first read. */
  F filtered() {
    return filtered;
  }

  /** Bytes the tool wrote so far. */
  long bytes() {
    return bytes;
  }

  String toolName() {
    return command.tool();
  }

  /**
   * Waits for the tool to exit after its output ended.
   *
   * @throws DbJobsException TIMEOUT (the tool is killed) when it does not exit within {@code
   *     timeout}
   */
  ToolResult awaitExit(Duration timeout) throws InterruptedException {
    if (tool == null) {
      throw new IllegalStateException(command.tool() + " was never started");
    }
    return tool.waitFor(timeout);
  }

  /**
   * The failure to report when the filter rejected the tool's output: the tool's exit status and
   * stderr, with the filter's finding.
   */
  private DbJobsException explain(DbJobsException bad) throws InterruptedIOException {
    try {
      drainUntilExit(EXIT_AFTER_BAD_OUTPUT);
      if (tool.isAlive()) {
        tool.kill();
      }
      ToolResult r = tool.waitFor(EXIT_AFTER_BAD_OUTPUT);
      return tool.failure(
          r,
          command.tool()
              + " wrote output that is not a backup after "
              + bytes
              + " bytes ("
              + bad.getMessage()
              + ")");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      InterruptedIOException io =
          new InterruptedIOException("interrupted while " + command.tool() + " exits");
      io.initCause(bad);
      throw io;
    }
  }

  /**
   * Reads and drops the tool's remaining output until it exits or {@code timeout} passes: a tool
   * blocked writing to a full pipe could not exit and tell why it failed.
   */
  private void drainUntilExit(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    InputStream raw = tool.stdout();
    byte[] buf = new byte[64 << 10];
    while (System.nanoTime() < deadline) {
      if (dropReady(raw, buf)) {
        continue;
      }
      if (!tool.isAlive()) {
        return;
      }
      Thread.sleep(20);
    }
  }

  /** Reads what is ready without blocking; false when nothing was (or the pipe is closed). */
  private static boolean dropReady(InputStream in, byte[] buf) {
    try {
      int ready = in.available();
      return ready > 0 && in.read(buf, 0, Math.min(ready, buf.length)) > 0;
    } catch (IOException e) {
      return false; // stdout closed: only the exit is left to wait for
    }
  }

  /** Kills the tool if it still runs. */
  @Override
  public void close() {
    if (tool != null) {
      tool.close();
    }
  }
}
