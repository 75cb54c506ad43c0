package io.dbjobs.manager.receive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.config.DatabaseEndpoint;
import io.dbjobs.common.job.Job;
import io.dbjobs.common.job.JobParams;
import io.dbjobs.common.job.JobRef;
import io.dbjobs.common.job.JobState;
import io.dbjobs.common.job.NewJob;
import io.dbjobs.common.job.Task;
import io.dbjobs.common.stream.SinkFactory;
import io.dbjobs.common.stream.SourceCompletion;
import io.dbjobs.common.stream.StreamOptions;
import io.dbjobs.common.stream.StreamSender;
import io.dbjobs.common.stream.StreamSink;
import io.dbjobs.common.stream.StreamTarget;
import io.dbjobs.common.watch.JobSource;
import io.dbjobs.manager.config.NodeConfig;
import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** How a receiving job ends when its job row and its stream disagree. */
class ReceivingJobTest {
  private static final NodeConfig NODE =
      new NodeConfig("prod", "db2", new DatabaseEndpoint("h", 3306, null, "u", null), 4445, 4444);

  private final Receiver receiver =
      Receiver.open(
          new ReceiverSettings(
              "127.0.0.1",
              0,
              "127.0.0.1",
              0,
              null,
              Duration.ofSeconds(5),
              Duration.ofSeconds(5),
              Duration.ofMinutes(1)));
  private final StreamSender sender = new StreamSender();

  @AfterEach
  void close() {
    sender.close();
    receiver.close();
  }

  /** One job whose row the test scripts; {@code agent} runs on submit, on its own thread. */
  private static final class ScriptedJobs implements NodeJobs {
    final AtomicReference<Job> row = new AtomicReference<>();
    final AtomicInteger unreachableReads = new AtomicInteger();
    final AtomicInteger reads = new AtomicInteger();
    volatile String secret;
    final BiConsumer<ScriptedJobs, Job> agent;

    ScriptedJobs(BiConsumer<ScriptedJobs, Job> agent) {
      this.agent = agent;
    }

    void set(JobState s, String code, String result) {
      Job j = row.get();
      row.set(
          new Job(
              j.id(),
              j.task(),
              s,
              j.idempotencyKey(),
              j.paramsJson(),
              j.server(),
              j.port(),
              1,
              "a",
              null,
              false,
              s.label(),
              0,
              null,
              null,
              code,
              result,
              "",
              j.created(),
              j.created(),
              s.isFinal() ? Instant.now() : null,
              Instant.now(),
              false,
              null));
    }

    @Override
    public Job submit(NodeConfig node, NewJob n) {
      secret = n.streamSecret();
      Instant now = Instant.now();
      Job j =
          new Job(
              7,
              n.task().wireName(),
              JobState.QUEUED,
              n.idempotencyKey(),
              JobParams.toJson(n.params()),
              n.server(),
              n.port(),
              0,
              null,
              null,
              false,
              "queued",
              0,
              null,
              null,
              null,
              null,
              "",
              now,
              null,
              null,
              now,
              false,
              null);
      row.set(j);
      Thread t = new Thread(() -> agent.accept(this, j));
      t.setDaemon(true);
      t.start();
      return j;
    }

    @Override
    public JobSource source(NodeConfig node) {
      return ref -> {
        reads.incrementAndGet();
        if (unreachableReads.getAndDecrement() > 0) {
          throw new DbJobsException(ErrorCode.NODE_UNREACHABLE, "db2 does not answer");
        }
        return java.util.Optional.of(row.get());
      };
    }

    @Override
    public void cancel(NodeConfig node, JobRef ref, String by) {
      if (row.get().state() == JobState.QUEUED) {
        set(JobState.CANCELLED, "CANCELLED", "cancelled by " + by);
      }
    }
  }

  private void send(ScriptedJobs jobs, Job j) {
    sender.send(
        new StreamTarget(j.server(), j.port(), j.params().get("stream-id"), jobs.secret),
        new ByteArrayInputStream(new byte[10_000]),
        SourceCompletion.of(Map.of("kind", "log")),
        StreamOptions.defaults(),
        null);
  }

  private static SinkFactory discard() {
    return hello ->
        new StreamSink() {
          @Override
          public void write(ByteBuffer data) {
            data.position(data.limit());
          }

          @Override
          public String finish(Map<String, String> meta, long bytes, String sha256Hex) {
            return "kept " + bytes;
          }

          @Override
          public void abort(String reason) {}
        };
  }

  private ReceivingJob.Outcome run(ScriptedJobs jobs, List<String> notes)
      throws InterruptedException {
    return new ReceivingJob(receiver, jobs, Duration.ofMillis(20), Duration.ofMillis(500))
        .run(
            new ReceivingJob.Request(
                NODE,
                Task.ERRORLOG,
                Map.of("rotate", "true"),
                discard(),
                "test",
                Duration.ofSeconds(30)),
            new ReceivingJob.Watcher() {
              @Override
              public void note(String message) {
                notes.add(message);
              }
            });
  }

  @Test
  void aStreamStoredBeforeItsJobFailedIsKeptAndTheJobsProblemReported() throws Exception {
    ScriptedJobs jobs =
        new ScriptedJobs(
            (s, j) -> {
              s.set(JobState.RUNNING, null, null);
              send(s, j);
              s.set(JobState.FAILED, "SERVICE_COMMAND_FAILED", "rotating the error log failed");
            });
    ReceivingJob.Outcome o = run(jobs, new ArrayList<>());
    assertThat(o.received().sinkMessage()).isEqualTo("kept 10000");
    assertThat(o.jobSucceeded()).isFalse();
    assertThat(o.jobProblem())
        .isEqualTo("job 7 failed (SERVICE_COMMAND_FAILED): rotating the error log failed");
    assertThat(jobs.row.get().params()).containsEntry("rotate", "true").containsKey("stream-id");
    assertThat(jobs.row.get().server()).isEqualTo("127.0.0.1");
    assertThat(jobs.row.get().port()).isEqualTo(receiver.advertisedPort());
  }

  @Test
  void theRowIsReadAgainSoonAfterTheStreamIsStoredNotAfterAWholePoll() throws Exception {
    // the agent writes its row's end only after the manager looked once more after the ACK; with
    // an hour between polls, only the reads that follow the stored stream can see that end
    ScriptedJobs jobs =
        new ScriptedJobs(
            (s, j) -> {
              s.set(JobState.RUNNING, null, null);
              send(s, j);
              int readsAtAck = s.reads.get();
              long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
              while (s.reads.get() == readsAtAck && System.nanoTime() < deadline) {
                Thread.onSpinWait();
              }
              s.set(JobState.SUCCEEDED, null, "sent");
            });
    ReceivingJob.Outcome o =
        org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(
            Duration.ofSeconds(60),
            () ->
                new ReceivingJob(receiver, jobs, Duration.ofHours(1), Duration.ofMinutes(5))
                    .run(
                        new ReceivingJob.Request(
                            NODE,
                            Task.ERRORLOG,
                            Map.of("rotate", "true"),
                            discard(),
                            "test",
                            Duration.ofHours(2)),
                        ReceivingJob.Watcher.NONE));
    assertThat(o.jobSucceeded()).as(String.valueOf(o.job())).isTrue();
    assertThat(o.received().sinkMessage()).isEqualTo("kept 10000");
  }

  @Test
  void aJobLeftFinishedByItsAgentCountsAsDone() throws Exception {
    ScriptedJobs jobs =
        new ScriptedJobs(
            (s, j) -> {
              send(s, j);
              s.set(JobState.FINISHED, null, "sent");
            });
    assertThat(run(jobs, new ArrayList<>()).jobSucceeded()).isTrue();
  }

  @Test
  void aJobThatSucceedsWithoutItsStreamIsAFailure() {
    ScriptedJobs jobs = new ScriptedJobs((s, j) -> s.set(JobState.SUCCEEDED, null, "done"));
    DbJobsException e =
        catchThrowableOfType(DbJobsException.class, () -> run(jobs, new ArrayList<>()));
    assertThat(e.code()).isEqualTo(ErrorCode.STREAM_CUT);
    assertThat(e.getMessage())
        .isEqualTo(
            "errorlog of db2 failed: job 7 on db2 succeeded: done although its stream never"
                + " completed here; the receiver got no stream");
  }

  @Test
  void aNodeThatStopsAnsweringIsWaitedOut() throws Exception {
    List<String> notes = new ArrayList<>();
    ScriptedJobs jobs =
        new ScriptedJobs(
            (s, j) -> {
              s.unreachableReads.set(3);
              send(s, j);
              s.set(JobState.SUCCEEDED, null, "sent");
            });
    assertThat(run(jobs, notes).jobSucceeded()).isTrue();
    assertThat(notes)
        .anyMatch(
            n ->
                n.startsWith("cannot read errorlog ")
                    && n.endsWith("on db2 (db2 does not answer); still waiting"))
        .contains("db2 answers again (after 3 failed reads)");
  }
}
