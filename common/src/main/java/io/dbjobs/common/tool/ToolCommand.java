package io.dbjobs.common.tool;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A subprocess to run: the tool's short name (tags its log lines), its argument vector (never a
 * secret: secrets go in a {@link DefaultsFile}), and where stdin and stdout go. Stderr always goes
 * to the log, line by line.
 */
public final class ToolCommand {
  /** Where the tool's stdout goes. */
  public enum Output {
    /** The caller reads it from {@link RunningTool#stdout()} (a stream to send somewhere). */
    PIPE,
    /** Each line goes to the log, tagged; the last lines are kept for messages. */
    LOG,
    /** Collected in memory (small outputs only, capped) and returned in the result. */
    CAPTURE,
    /** Written to {@link #stdoutFile()}. */
    FILE
  }

  /** Where the tool's stdin comes from. */
  public enum Input {
    /** Nothing: stdin is /dev/null. */
    NONE,
    /** The caller writes it through {@link RunningTool#stdin()}. */
    PIPE,
    /** Read from {@link #stdinFile()}. */
    FILE
  }

  private final String tool;
  private final List<String> argv;
  private final Map<String, String> env;
  private final Path workDir;
  private final Output output;
  private final Path stdoutFile;
  private final Input input;
  private final Path stdinFile;

  private ToolCommand(Builder b) {
    this.tool = b.tool;
    this.argv = List.copyOf(b.argv);
    this.env = Map.copyOf(b.env);
    this.workDir = b.workDir;
    this.output = b.output;
    this.stdoutFile = b.stdoutFile;
    this.input = b.input;
    this.stdinFile = b.stdinFile;
  }

  public static Builder of(String tool, List<String> argv) {
    return new Builder(tool, argv);
  }

  public String tool() {
    return tool;
  }

  public List<String> argv() {
    return argv;
  }

  public Map<String, String> env() {
    return env;
  }

  public Path workDir() {
    return workDir;
  }

  public Output output() {
    return output;
  }

  public Path stdoutFile() {
    return stdoutFile;
  }

  public Input input() {
    return input;
  }

  public Path stdinFile() {
    return stdinFile;
  }

  /** The command line for logs: the argument vector, which by contract holds no secret. */
  public String display() {
    StringBuilder sb = new StringBuilder();
    for (String a : argv) {
      if (!sb.isEmpty()) {
        sb.append(' ');
      }
      sb.append(a.isEmpty() || a.contains(" ") ? "'" + a + "'" : a);
    }
    return sb.toString();
  }

  @Override
  public String toString() {
    return tool + ": " + display();
  }

  /** Builds a {@link ToolCommand}. */
  public static final class Builder {
    private final String tool;
    private final List<String> argv;
    private final Map<String, String> env = new LinkedHashMap<>();
    private Path workDir;
    private Output output = Output.LOG;
    private Path stdoutFile;
    private Input input = Input.NONE;
    private Path stdinFile;

    private Builder(String tool, List<String> argv) {
      this.tool = Objects.requireNonNull(tool);
      if (argv.isEmpty()) {
        throw new IllegalArgumentException("a command needs at least the executable");
      }
      this.argv = new ArrayList<>(argv);
    }

    /**
     * Sets a variable of the child's environment, which otherwise holds only {@link
     * ToolRunner#PASSED_ON}. Never a secret: environments are readable in {@code /proc} by the same
     * user.
     */
    public Builder env(String key, String value) {
      env.put(key, value);
      return this;
    }

    public Builder workDir(Path dir) {
      this.workDir = dir;
      return this;
    }

    public Builder stdout(Output output) {
      this.output = output;
      return this;
    }

    public Builder stdoutTo(Path file) {
      this.output = Output.FILE;
      this.stdoutFile = file;
      return this;
    }

    public Builder stdin(Input input) {
      this.input = input;
      return this;
    }

    public Builder stdinFrom(Path file) {
      this.input = Input.FILE;
      this.stdinFile = file;
      return this;
    }

    public ToolCommand build() {
      return new ToolCommand(this);
    }
  }

  static File devNull() {
    return new File("/dev/null");
  }
}
