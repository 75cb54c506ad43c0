package io.dbjobs.agent.task.backup;

import io.dbjobs.agent.task.JobContext;
import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.backup.BackupTool;
import io.dbjobs.common.tool.RunningTool;
import io.dbjobs.common.tool.ToolResult;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks a backup tool for its version ({@code --version}). The version is metadata: a tool that
 * cannot tell it is still run, and the backup itself decides whether it works.
 */
final class ToolVersions {
  private static final Logger LOG = LoggerFactory.getLogger(ToolVersions.class);
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private ToolVersions() {}

  /**
   * Versions already asked, by tool path: a tool's version does not change under a running agent
   * (an upgrade restarts it).
   */
  private static final Map<String, String> KNOWN = new ConcurrentHashMap<>();

  /**
   * The tool's version line (asked once per tool path and agent), or null when it could not say.
   */
  static String of(JobContext ctx, BackupTool tool) throws InterruptedException {
    String key = tool.versionCommand().argv().get(0);
    String known = KNOWN.get(key);
    if (known != null) {
      return known;
    }
    String v = ask(ctx, tool);
    if (v != null) {
      KNOWN.put(key, v);
    }
    return v;
  }

  private static String ask(JobContext ctx, BackupTool tool) throws InterruptedException {
    try (RunningTool t = ctx.start(tool.versionCommand())) {
      ToolResult r = t.waitFor(TIMEOUT);
      String v = r.ok() ? tool.version(r) : null;
      if (v == null) {
        LOG.warn(
            "{} did not tell its version (exit {}); the backup's metadata will not name it",
            tool.name(),
            r.exitCode());
      }
      return v;
    } catch (DbJobsException e) {
      if (e.code() == ErrorCode.CANCELLED
          || e.code() == ErrorCode.AGENT_STOPPED
          || e.code() == ErrorCode.TOOL_NOT_FOUND) {
        throw e;
      }
      LOG.warn("{} --version failed: {}", tool.name(), e.getMessage());
      return null;
    }
  }
}
