package io.dbjobs.agent.loop;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbjobs.agent.AgentConfig;
import io.dbjobs.agent.task.JobContext;
import io.dbjobs.agent.task.TaskHandler;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.auth.JobSealer;
import io.dbjobs.common.auth.KeyRing;
import io.dbjobs.common.auth.SealedFields;
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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobLoopTest {
  @TempDir Path dir;
  private final KeyRing keys = KeyRing.generate("n1");
  private final JobSealer sealer = new JobSealer(keys, Duration.ofHours(1), Clock.systemUTC());
  private final FakeJobStore store = new FakeJobStore(sealer);
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
    return loop(maxParallel, Executors.newCachedThreadPool(), handlers);
  }

  private JobLoop loop(int maxParallel, ExecutorService workers, TaskHandler... handlers) {
    Path keyFile = dir.resolve("n1.keys");
    keys.write(keyFile);
    AgentConfig c =
        AgentConfig.fromYaml(
            "node: n1\nworkDir: "
                + dir
                + "\nhttp: {port: 0}\njobs: {maxParallel: "
                + maxParallel
                + "}\nsecurity: {keyFile: "
                + keyFile
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
            new AgentKeys(keyFile, "n1"),
            d -> {
              sleeps.add(d);
              if (sleeps.size() >= 6) {
                loop.stop("test", Duration.ofSeconds(5));
              }
            },
            Clock.systemUTC(),
            workers);
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

  /** A handler that counts its runs and returns at once. */
  private static TaskHandler counting(Task task, AtomicInteger runs) {
    return new TaskHandler() {
      @Override
      public Task task() {
        return task;
      }

      @Override
      public JobOutcome run(JobContext ctx) {
        runs.incrementAndGet();
        return JobOutcome.succeeded("ran");
      }
    };
  }

  private void awaitFinal(long id) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!store.state(id).isFinal()) {
      assertThat(System.nanoTime()).as("job " + id + " ends within 10 s").isLessThan(deadline);
      Thread.sleep(5);
    }
  }

  @Test
  void refusesARowWithoutSealAndRunsNothing() {
    AtomicInteger runs = new AtomicInteger();
    loop(2, counting(Task.OPTIMIZE, runs));
    long id = store.addRaw("optimize", Map.of(), null);
    assertThat(loop.pollOnce()).isZero();
    assertThat(store.state(id)).isEqualTo(JobState.FAILED);
    assertThat(store.refused.get(id)).contains("no seal");
    assertThat(runs).hasValue(0);
  }

  @Test
  void refusesARowSealedWithAnotherNodesKey() {
    AtomicInteger runs = new AtomicInteger();
    loop(2, counting(Task.OPTIMIZE, runs));
    JobSealer other = new JobSealer(KeyRing.generate("n1"), Duration.ofHours(1), Clock.systemUTC());
    String seal =
        other
            .seal(new SealedFields("n1", 1, "k1", "optimize", "{}", "", 0, "", "", other.expiry()))
            .format();
    long id = store.addRaw("optimize", Map.of(), seal);
    assertThat(loop.pollOnce()).isZero();
    assertThat(store.refused.get(id)).contains("does not hold");
    assertThat(runs).hasValue(0);
  }

  @Test
  void refusesARowChangedAfterItWasSealed() {
    AtomicInteger runs = new AtomicInteger();
    loop(2, counting(Task.OPTIMIZE, runs));
    String seal =
        sealer
            .seal(
                new SealedFields(
                    "n1",
                    1,
                    "k1",
                    "optimize",
                    "{\"mode\":\"analyze\"}",
                    "",
                    0,
                    "",
                    "",
                    sealer.expiry()))
            .format();
    long id = store.addRaw("optimize", Map.of("mode", "optimize"), seal);
    assertThat(loop.pollOnce()).isZero();
    assertThat(store.refused.get(id)).contains("does not match the row");
    assertThat(runs).hasValue(0);
  }

  @Test
  void refusesAnExpiredSeal() {
    AtomicInteger runs = new AtomicInteger();
    loop(2, counting(Task.OPTIMIZE, runs));
    JobSealer past =
        new JobSealer(
            keys,
            Duration.ofMinutes(1),
            Clock.fixed(
                java.time.Instant.now().minus(Duration.ofDays(1)), java.time.ZoneOffset.UTC));
    String seal =
        past.seal(new SealedFields("n1", 1, "k1", "optimize", "{}", "", 0, "", "", past.expiry()))
            .format();
    long id = store.addRaw("optimize", Map.of(), seal);
    assertThat(loop.pollOnce()).isZero();
    assertThat(store.refused.get(id)).contains("expired");
    assertThat(runs).hasValue(0);
  }

  @Test
  void neverRunsASealedJobTwiceEvenWhenItsRowIsPutBackInTheQueue() throws Exception {
    AtomicInteger runs = new AtomicInteger();
    loop(2, counting(Task.OPTIMIZE, runs));
    long id = store.add("optimize", Map.of());
    assertThat(loop.pollOnce()).isEqualTo(1);
    awaitFinal(id);
    store.requeue(id);
    assertThat(loop.pollOnce()).isZero();
    assertThat(store.refused.get(id)).contains("already accepted once");
    assertThat(runs).hasValue(1);
  }

  @Test
  void aLeaseRenewalThatOutlivesItsJobDoesNotInterruptTheNextJobOnThatThread() throws Exception {
    // one worker thread, so the next job runs on the thread the first one left
    ExecutorService oneWorker = Executors.newSingleThreadExecutor();
    CountDownLatch firstMayEnd = new CountDownLatch(1);
    CountDownLatch renewStarted = new CountDownLatch(1);
    CountDownLatch renewMayReturn = new CountDownLatch(1);
    CountDownLatch nextStarted = new CountDownLatch(1);
    CountDownLatch nextMayLook = new CountDownLatch(1);
    AtomicBoolean nextSawInterrupt = new AtomicBoolean();
    TaskHandler first =
        new TaskHandler() {
          @Override
          public Task task() {
            return Task.OPTIMIZE;
          }

          @Override
          public JobOutcome run(JobContext ctx) throws InterruptedException {
            firstMayEnd.await(10, TimeUnit.SECONDS);
            return JobOutcome.succeeded("first");
          }
        };
    TaskHandler next =
        new TaskHandler() {
          @Override
          public Task task() {
            return Task.RESTART;
          }

          @Override
          public JobOutcome run(JobContext ctx) {
            nextStarted.countDown();
            try {
              nextMayLook.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
              nextSawInterrupt.set(true);
              return JobOutcome.failed(ErrorCode.INTERNAL, "interrupted");
            }
            nextSawInterrupt.set(Thread.currentThread().isInterrupted());
            return JobOutcome.succeeded("next");
          }
        };
    loop(2, oneWorker, first, next);
    long a = store.add("optimize", Map.of());
    assertThat(loop.pollOnce()).isEqualTo(1);
    // a heartbeat renews the first job's lease on a slow database: it answers only after the
    // first job ended and the next one started on the same thread, and says "not held"
    store.duringRenew =
        () -> {
          renewStarted.countDown();
          try {
            renewMayReturn.await(10, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        };
    Thread beat = new Thread(loop::renewLeasesNow, "test-heartbeat");
    beat.start();
    assertThat(renewStarted.await(10, TimeUnit.SECONDS)).isTrue();
    firstMayEnd.countDown();
    awaitFinal(a);
    long b = store.add("restart", Map.of());
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (loop.pollOnce() == 0) {
      assertThat(System.nanoTime()).as("the next job starts").isLessThan(deadline);
      Thread.sleep(5);
    }
    assertThat(nextStarted.await(10, TimeUnit.SECONDS)).isTrue();
    renewMayReturn.countDown();
    beat.join(10_000);
    nextMayLook.countDown();
    awaitFinal(b);
    assertThat(store.outcomes.get(a).state()).isEqualTo(JobState.SUCCEEDED);
    assertThat(nextSawInterrupt).as("the next job's thread was interrupted").isFalse();
    assertThat(store.outcomes.get(b).state()).isEqualTo(JobState.SUCCEEDED);
  }
}
