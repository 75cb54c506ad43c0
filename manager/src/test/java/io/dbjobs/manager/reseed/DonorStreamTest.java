package io.dbjobs.manager.reseed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.config.DatabaseEndpoint;
import io.dbjobs.common.job.Job;
import io.dbjobs.common.job.JobRef;
import io.dbjobs.common.job.JobState;
import io.dbjobs.common.job.NewJob;
import io.dbjobs.common.jobs.JobQuery;
import io.dbjobs.common.jobs.ManagerJobs;
import io.dbjobs.common.stream.PeerIdentity;
import io.dbjobs.common.stream.StreamSecret;
import io.dbjobs.common.stream.StreamTarget;
import io.dbjobs.manager.config.NodeConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class DonorStreamTest {
  /** The donor's table: holds what was enqueued, queued for ever (no agent claims it). */
  private static final class Unclaimed implements ManagerJobs {
    final AtomicReference<Job> row = new AtomicReference<>();
    final List<String> cancels = new ArrayList<>();

    @Override
    public String node() {
      return "db3";
    }

    @Override
    public String where() {
      return "db3 (127.0.0.1:3306)";
    }

    @Override
    public Enqueued enqueue(NewJob job) {
      row.set(
          new Job(
              11,
              job.task().wireName(),
              JobState.QUEUED,
              job.idempotencyKey(),
              "{}",
              job.server(),
              job.port(),
              0,
              null,
              null,
              false,
              null,
              0,
              null,
              null,
              null,
              null,
              job.submittedBy(),
              Instant.now(),
              null,
              null,
              null,
              false,
              null));
      return new Enqueued(row.get(), true);
    }

    @Override
    public Optional<Job> find(JobRef ref) {
      Job j = row.get();
      return j != null && j.idempotencyKey().equals(ref.idempotencyKey())
          ? Optional.of(j)
          : Optional.empty();
    }

    @Override
    public Optional<Job> findById(long id) {
      return Optional.ofNullable(row.get());
    }

    @Override
    public List<Job> list(JobQuery q) {
      return row.get() == null ? List.of() : List.of(row.get());
    }

    @Override
    public Counts counts() {
      return new Counts(1, 0);
    }

    @Override
    public synchronized CancelResult cancel(JobRef ref, String by) {
      cancels.add(ref.idempotencyKey() + " by " + by);
      return CancelResult.CANCELLED;
    }

    @Override
    public CancelResult cancelById(long id, String by) {
      throw new AssertionError("cancels go by ref");
    }

    @Override
    public int failLostAgents(String observer) {
      return 0;
    }
  }

  @Test
  void aDonorWhoseAgentDoesNotClaimItsJobFailsTheSourceAndCancelsTheJob() {
    Unclaimed table = new Unclaimed();
    DonorStream s =
        new DonorStream(
            new NodeConfig(
                "c", "db3", new DatabaseEndpoint("127.0.0.1", 3306, null, "u", null), 4445, 4444),
            table,
            null,
            "none",
            "test",
            "db2,127.0.0.1",
            Duration.ofHours(1),
            Duration.ofMillis(600));
    StreamTarget target =
        new StreamTarget(
            "127.0.0.1",
            4444,
            "reseed/c/db2/x",
            StreamSecret.mint(),
            PeerIdentity.of("db2", "127.0.0.1"));

    assertThatThrownBy(() -> s.send(target))
        .isInstanceOfSatisfying(
            DbJobsException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.AGENT_UNREACHABLE))
        .hasMessageContaining("the agent of the donor db3 did not take its backup job within")
        .hasMessageContaining("is dbjobs-agent running there?");
    assertThat(table.cancels)
        .singleElement()
        .asString()
        .startsWith(table.row.get().idempotencyKey() + " by ");
  }
}
