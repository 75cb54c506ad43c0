package io.dbjobs.common.tool;

import java.time.Duration;
import java.util.List;

/**
 * How a tool ended.
 *
 * @param stdout captured stdout ({@link ToolCommand.Output#CAPTURE} only), else empty
 * @param stderrTail the last lines the tool wrote to stderr
 */
public record ToolResult(
    String tool, int exitCode, Duration elapsed, String stdout, List<String> stderrTail) {
  public boolean ok() {
    return exitCode == 0;
  }
}
