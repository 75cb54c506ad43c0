package io.dbjobs.agent.loop;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbjobs.agent.AgentConfig;
import io.dbjobs.agent.task.JobContext;
import io.dbjobs.agent.task.TaskHandler;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.job.JobOutcome;
import io.dbjobs.common.job.JobState;
import io.dbjobs.common.job.Task;
import io.dbjobs.common.tool.ToolRunner;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobLoopTest {
  @TempDir Path dir;
  private final FakeJobStore store = new FakeJobStore();
  private final CountDownLatch release = new CountDownLatch(1);
  private final List<Duration> sleeps = new ArrayList<>();
  private JobLoop loop;

  /** A handler that holds its job running until the test releases it. */
  private TaskHandler blocking(Task task) {
    return new TaskHandler() {
      @Override
      public Task task() {
        return task;
      }

      @Override
      public JobOutcome run(JobContext ctx) throws InterruptedException {
        release.await(10, TimeUnit.SECONDS);
        return JobOutcome.succeeded("done");
      }
    };
  }

  private JobLoop loop(int maxParallel, TaskHandler... handlers) {
    AgentConfig c =
        AgentConfig.fromYaml(
            "node: n1\nworkDir: "
                + dir
                + "\nhttp: {port: 0}\njobs: {maxParallel: "
                + maxParallel
                + "}\n",
            "agent.yml",
            k -> null,
            dir);
    AgentServices s =
        new AgentServices(
            c,
            "n1@test",
            null,
            store,
            null,
            new ToolRunner(),
            new io.micrometer.core.instrument.simple.SimpleMeterRegistry());
    loop =
        new JobLoop(
            s,
            new HandlerRegistry(List.of(handlers)),
            d -> {
              sleeps.add(d);
              if (sleeps.size() >= 6) {
                loop.stop("test", Duration.ofSeconds(5));
              }
            },
            Clock.systemUTC());
    return loop;
  }

  @AfterEach
  void releaseJobs() {
    release.countDown();
    if (loop != null) {
      loop.stop("test over", Duration.ofSeconds(5));
    }
  }

  @Test
  void aDestructiveJobWaitsForRunningJobsAndNothingOvertakesIt() {
    loop(2, blocking(Task.OPTIMIZE), blocking(Task.STOP));
    long first = store.add("optimize", Map.of());
    long stop = store.add("stop", Map.of());
    long third = store.add("optimize", Map.of());
    assertThat(loop.pollOnce()).isEqualTo(1);
    assertThat(store.state(first)).isEqualTo(JobState.RUNNING);
    assertThat(store.state(stop)).isEqualTo(JobState.QUEUED);
    assertThat(store.state(third)).as("first in, first out").isEqualTo(JobState.QUEUED);
  }

  @Test
  void aRunningDestructiveJobRunsAlone() {
    loop(4, blocking(Task.OPTIMIZE), blocking(Task.RESTART));
    long restart = store.add("restart", Map.of());
    long optimize = store.add("optimize", Map.of());
    assertThat(loop.pollOnce()).isEqualTo(1);
    assertThat(store.state(restart)).isEqualTo(JobState.RUNNING);
    assertThat(loop.pollOnce()).isZero();
    assertThat(store.state(optimize)).isEqualTo(JobState.QUEUED);
  }

  @Test
  void runsUpToMaxParallelOrdinaryJobs() {
    loop(2, blocking(Task.OPTIMIZE));
    store.add("optimize", Map.of());
    store.add("optimize", Map.of());
    long third = store.add("optimize", Map.of());
    assertThat(loop.pollOnce()).isEqualTo(2);
    assertThat(store.state(third)).isEqualTo(JobState.QUEUED);
  }

  @Test
  void failsAKnownTaskWithoutHandlerSayingWhatThisAgentRuns() {
    loop(2, blocking(Task.OPTIMIZE));
    long id = store.add("flashback", Map.of());
    assertThat(loop.pollOnce()).isZero();
    assertThat(store.state(id)).isEqualTo(JobState.FAILED);
    assertThat(store.outcomes.get(id).errorCode()).isEqualTo(ErrorCode.UNKNOWN_TASK);
    assertThat(store.outcomes.get(id).result())
        .contains("'flashback' is not supported by this agent")
        .contains("it runs: optimize");
  }

  @Test
  void backsOffWhileTheDatabaseIsDownAndReturnsToThePollIntervalAfter() {
    loop(2, blocking(Task.OPTIMIZE));
    store.outagesLeft.set(3);
    loop.run();
    assertThat(sleeps)
        .startsWith(
            Duration.ofMillis(500),
            Duration.ofSeconds(1),
            Duration.ofSeconds(2),
            Duration.ofMillis(500));
  }
}
