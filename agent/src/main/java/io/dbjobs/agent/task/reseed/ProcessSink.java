package io.dbjobs.agent.task.reseed;

import io.dbjobs.agent.task.JobContext;
import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.stream.StreamSink;
import io.dbjobs.common.tool.RunningTool;
import io.dbjobs.common.tool.ToolCommand;
import io.dbjobs.common.tool.ToolResult;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;

/**
 * A stream sink that feeds a tool's stdin ({@code mbstream -x}, the {@code mariadb} client). The
 * stream is acknowledged only when the tool exited 0 after its input ended; on abort the tool is
 * killed and {@code cleanUp} removes what it wrote.
 */
final class ProcessSink implements StreamSink {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ProcessSink.class);
  private final RunningTool tool;
  private final OutputStream stdin;
  private final Runnable cleanUp;
  private final Duration finishTimeout;
  private final String what;
  private final byte[] copy = new byte[256 * 1024];

  private ProcessSink(RunningTool tool, Runnable cleanUp, Duration finishTimeout, String what) {
    this.tool = tool;
    this.stdin = tool.stdin();
    this.cleanUp = cleanUp;
    this.finishTimeout = finishTimeout;
    this.what = what;
  }

  /** Starts {@code command} (stdin piped) as part of the job, so a cancel kills it. */
  static ProcessSink start(
      JobContext ctx, ToolCommand command, Runnable cleanUp, Duration finishTimeout, String what) {
    return new ProcessSink(ctx.start(command), cleanUp, finishTimeout, what);
  }

  @Override
  public void write(ByteBuffer data) throws IOException, InterruptedException {
    while (data.hasRemaining()) {
      int n = Math.min(copy.length, data.remaining());
      data.get(copy, 0, n);
      try {
        stdin.write(copy, 0, n);
      } catch (IOException e) {
        // the tool stopped reading: it is exiting; its status and whole stderr say why
        ToolResult r = tool.waitFor(Duration.ofSeconds(10));
        if (!r.ok()) {
          throw failure(tool, r, what);
        }
        throw new IOException(
            what
                + ": "
                + tool.command().tool()
                + " stopped reading its input ("
                + e.getMessage()
                + ")"
                + tailOf(tool),
            e);
      }
    }
  }

  @Override
  public String finish(Map<String, String> meta, long bytes, String sha256Hex)
      throws IOException, InterruptedException {
    stdin.close();
    ToolResult r = tool.waitFor(finishTimeout);
    if (!r.ok()) {
      throw failure(tool, r, what);
    }
    return what + " done";
  }

  /** Waits for the tool after its input was closed; exposed for sinks that wrap this one. */
  ToolResult closeAndWait() throws IOException, InterruptedException {
    stdin.close();
    return tool.waitFor(finishTimeout);
  }

  RunningTool tool() {
    return tool;
  }

  @Override
  public void abort(String reason) {
    tool.kill();
    try {
      cleanUp.run();
    } catch (RuntimeException e) {
      LOG.error("cleaning up after {} ({}) failed: {}", what, reason, DbJobsException.describe(e));
    }
  }

  /**
   * The tool's failure: DISK_FULL when its stderr says the disk is full (errno 28, as {@code
   * mbstream} reports it: {@code Errcode: 28 "No space left on device"}), TOOL_FAILED otherwise.
   */
  static DbJobsException failure(RunningTool t, ToolResult r, String what) {
    DbJobsException e = t.failure(r, what);
    if (t.stderrContains("No space left on device") || t.stderrContains("Errcode: 28")) {
      return new DbJobsException(
          ErrorCode.DISK_FULL, e.getMessage() + " (the disk is full: free space and retry)", e);
    }
    return e;
  }

  private static String tailOf(RunningTool t) {
    var tail = t.stderrTail();
    return tail.isEmpty()
        ? ""
        : "; its last stderr lines:\n  "
            + String.join("\n  ", tail.subList(Math.max(0, tail.size() - 10), tail.size()));
  }
}
