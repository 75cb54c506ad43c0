package io.dbjobs.agent.task;

import io.dbjobs.common.job.JobOutcome;
import io.dbjobs.common.job.Task;

/**
 * Runs one task. A handler returns the outcome to record, or throws a {@link
 * io.dbjobs.common.DbJobsException} whose code and message become the job's error; any other
 * exception is recorded as INTERNAL with its description. It checks {@link
 * JobContext#checkStopping()} between steps and starts tools through {@link JobContext#start} so a
 * cancel or an agent stop ends it promptly.
 */
public interface TaskHandler {
  Task task();

  JobOutcome run(JobContext ctx) throws Exception;
}
