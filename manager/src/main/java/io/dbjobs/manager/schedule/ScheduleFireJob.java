package io.dbjobs.manager.schedule;

import java.time.Instant;
import org.quartz.DisallowConcurrentExecution;
import org.quartz.Job;
import org.quartz.JobDataMap;
import org.quartz.JobExecutionContext;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;

/**
 * The Quartz job behind every schedule: hands the fire to {@link ScheduleRunner}. One fire of a
 * schedule at a time (across managers with the JDBC store); a fire that was running on a manager
 * that died is re-run by another ({@code requestRecovery}), which the run's idempotency key makes
 * harmless.
 */
@DisallowConcurrentExecution
public final class ScheduleFireJob implements Job {
  static final String CLUSTER = "cluster";
  static final String SCHEDULE = "schedule";
  static final String MANUAL = "manual";

  private final ScheduleRunner runner;

  ScheduleFireJob(ScheduleRunner runner) {
    this.runner = runner;
  }

  @Override
  public void execute(JobExecutionContext ctx) {
    JobDataMap data = ctx.getMergedJobDataMap();
    Instant scheduled = ctx.getScheduledFireTime().toInstant();
    if (ctx.isRecovering()
        && data.containsKey(
            Scheduler.FAILED_JOB_ORIGINAL_TRIGGER_SCHEDULED_FIRETIME_IN_MILLISECONDS)) {
      scheduled =
          Instant.ofEpochMilli(
              Long.parseLong(
                  data.getString(
                      Scheduler.FAILED_JOB_ORIGINAL_TRIGGER_SCHEDULED_FIRETIME_IN_MILLISECONDS)));
    }
    String instance;
    try {
      instance = ctx.getScheduler().getSchedulerInstanceId();
    } catch (SchedulerException e) {
      instance = "?";
    }
    runner.fire(
        new ScheduleRunner.Fire(
            data.getString(CLUSTER),
            data.getString(SCHEDULE),
            scheduled,
            ctx.getFireTime().toInstant(),
            "true".equals(data.getString(MANUAL)),
            ctx.isRecovering(),
            instance));
  }
}
