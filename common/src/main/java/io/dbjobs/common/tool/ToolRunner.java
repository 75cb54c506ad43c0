package io.dbjobs.common.tool;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts tools (mariadb-backup, mariadb-dump, mbstream, service commands) as subprocesses. Their
 * stderr goes to the log line by line, tagged {@code [tool]}; their command line is logged and, by
 * contract, never contains a secret.
 *
 * <p>A child gets a clean environment: only {@link #PASSED_ON} of this process' variables (when
 * set), plus what its {@link ToolCommand#env()} adds. Nothing else of the agent's or manager's
 * environment reaches a tool, so a secret given as {@code {env: NAME}} stays in this process, and
 * {@code MYSQL_PWD}, {@code MYSQL_HOST} or {@code MYSQL_HOME} cannot change what a tool connects
 * to.
 */
public class ToolRunner {
  private static final Logger LOG = LoggerFactory.getLogger("io.dbjobs.tool");
  private static final int STDERR_KEEP = 60;
  private static final int CAPTURE_LIMIT = 1 << 20;

  /** The variables a child inherits from this process, when they are set here. */
  public static final List<String> PASSED_ON =
      List.of("PATH", "LANG", "LC_ALL", "TZ", "HOME", "TMPDIR");

  /** PATH of a child when this process has none. */
  static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

  private final Map<String, String> parentEnv;

  /** Passes on variables of this process' environment. */
  public ToolRunner() {
    this(System.getenv());
  }

  /** Passes on variables of {@code parentEnv} instead of this process' (tests). */
  ToolRunner(Map<String, String> parentEnv) {
    this.parentEnv = Map.copyOf(parentEnv);
  }

  /** Starts the tool; {@code stderrListener} (may be null) sees every stderr line. */
  public RunningTool start(ToolCommand cmd, Consumer<String> stderrListener) {
    checkExecutable(cmd);
    ProcessBuilder pb = new ProcessBuilder(cmd.argv());
    childEnvironment(pb.environment(), cmd);
    if (cmd.workDir() != null) {
      pb.directory(cmd.workDir().toFile());
    }
    switch (cmd.input()) {
      case NONE -> pb.redirectInput(ToolCommand.devNull());
      case FILE -> pb.redirectInput(cmd.stdinFile().toFile());
      case PIPE -> pb.redirectInput(ProcessBuilder.Redirect.PIPE);
    }
    switch (cmd.output()) {
      case FILE -> pb.redirectOutput(cmd.stdoutFile().toFile());
      default -> pb.redirectOutput(ProcessBuilder.Redirect.PIPE);
    }
    LOG.info("[{}] running: {}", cmd.tool(), cmd.display());
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      throw new DbJobsException(
          ErrorCode.TOOL_NOT_FOUND,
          "cannot start " + cmd.tool() + " (" + cmd.argv().get(0) + "): " + e.getMessage(),
          e);
    }
    LinePump err =
        new LinePump(p.getErrorStream(), cmd.tool(), LOG, STDERR_KEEP, stderrListener, false, 0);
    daemon(err, cmd.tool() + "-stderr-" + p.pid());
    LinePump out = null;
    if (cmd.output() == ToolCommand.Output.LOG || cmd.output() == ToolCommand.Output.CAPTURE) {
      boolean capture = cmd.output() == ToolCommand.Output.CAPTURE;
      out = new LinePump(p.getInputStream(), cmd.tool(), LOG, 20, null, capture, CAPTURE_LIMIT);
      daemon(out, cmd.tool() + "-stdout-" + p.pid());
    }
    return new RunningTool(cmd, p, err, out);
  }

  /**
   * Runs the tool to its end and returns how it ended (the caller decides whether that is a
   * failure).
   */
  public ToolResult run(ToolCommand cmd, Duration timeout) throws InterruptedException {
    try (RunningTool t = start(cmd, null)) {
      return t.waitFor(timeout);
    }
  }

  /**
   * Runs the tool and fails with its exit code and stderr tail unless it exits 0.
   *
   * @param what what the tool was doing, for the message
   */
  public ToolResult runChecked(ToolCommand cmd, Duration timeout, String what)
      throws InterruptedException {
    try (RunningTool t = start(cmd, null)) {
      ToolResult r = t.waitFor(timeout);
      if (!r.ok()) {
        throw t.failure(r, what);
      }
      return r;
    }
  }

  /** Replaces {@code env} (a copy of this process' environment) with the child's clean one. */
  void childEnvironment(Map<String, String> env, ToolCommand cmd) {
    env.clear();
    for (String k : PASSED_ON) {
      String v = parentEnv.get(k);
      if (v != null) {
        env.put(k, v);
      }
    }
    env.putIfAbsent("PATH", DEFAULT_PATH);
    env.putAll(cmd.env());
  }

  private static void checkExecutable(ToolCommand cmd) {
    String exe = cmd.argv().get(0);
    if (exe.contains("/")) {
      Path p = Path.of(exe);
      if (!Files.isExecutable(p)) {
        throw new DbJobsException(
            ErrorCode.TOOL_NOT_FOUND,
            cmd.tool()
                + " not found or not executable at "
                + exe
                + "; install it or point the agent's tools settings at it");
      }
    }
  }

  private static void daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    t.start();
  }
}
