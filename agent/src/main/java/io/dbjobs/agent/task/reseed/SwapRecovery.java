package io.dbjobs.agent.task.reseed;

import io.dbjobs.agent.AgentConfig;
import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.job.JobOutcome;
import io.dbjobs.common.tool.ToolCommand;
import io.dbjobs.common.tool.ToolResult;
import io.dbjobs.common.tool.ToolRunner;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * At agent start: a datadir swap left unfinished (the agent died between moving the data and
 * proving the new data serves) is rolled back, so the node comes back on its old data. The job is
 * recorded as failed once the database answers.
 */
public final class SwapRecovery {
  private static final Logger LOG = LoggerFactory.getLogger(SwapRecovery.class);

  private SwapRecovery() {}

  /** A job whose swap was rolled back, with the outcome to record. */
  public record Recovered(long jobId, String owner, JobOutcome outcome) {}

  public static List<Recovered> run(AgentConfig config, ToolRunner tools)
      throws InterruptedException {
    List<Recovered> out = new ArrayList<>();
    for (DatadirSwap swap : DatadirSwap.pending(config.workDir().resolve("reseed"))) {
      LOG.warn(
          "job {} left an unfinished datadir swap in {}; putting the old data back before polling",
          swap.jobId(),
          swap.datadir());
      service(tools, "stop", config.service().stop(), config);
      swap.rollBack();
      service(tools, "start", config.service().start(), config);
      out.add(
          new Recovered(
              swap.jobId(),
              swap.owner(),
              JobOutcome.failed(
                  ErrorCode.RESTORE_FAILED,
                  "the agent stopped during the datadir swap; at its next start it put the old data back"
                      + " into "
                      + swap.datadir()
                      + " and started the server on it")));
    }
    return out;
  }

  private static void service(ToolRunner tools, String verb, List<String> argv, AgentConfig config)
      throws InterruptedException {
    ToolResult r =
        tools.run(ToolCommand.of("service-" + verb, argv).build(), config.service().timeout());
    if (!r.ok()) {
      throw new DbJobsException(
          ErrorCode.SERVICE_COMMAND_FAILED,
          "recovering an unfinished swap: the "
              + verb
              + " command "
              + argv
              + " exited "
              + r.exitCode()
              + "; last stderr: "
              + String.join(" | ", r.stderrTail()));
    }
  }
}
