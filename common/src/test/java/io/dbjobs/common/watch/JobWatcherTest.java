package io.dbjobs.common.watch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.job.Job;
import io.dbjobs.common.job.JobRef;
import io.dbjobs.common.job.JobState;
import io.dbjobs.common.job.Task;
import java.sql.SQLNonTransientConnectionException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class JobWatcherTest {
  private static final JobRef REF = new JobRef("db2", "k1", Task.OPTIMIZE);

  private static Job row(JobState state, boolean leaseExpired, String code, String result) {
    return new Job(
        7,
        "optimize",
        state,
        "k1",
        "{}",
        "",
        0,
        1,
        "db2@host/1",
        Instant.parse("2026-12-03T10:00:00Z"),
        false,
        "optimizing",
        0,
        null,
        null,
        code,
        result,
        "test",
        Instant.EPOCH,
        Instant.EPOCH,
        null,
        null,
        leaseExpired,
        null);
  }

  /** A source serving whatever the test puts in {@code now}; reads may fail on demand. */
  private static final class Scripted implements JobSource {
    final AtomicReference<Job> now = new AtomicReference<>();
    final AtomicInteger failures = new AtomicInteger();
    final boolean mayWrite;
    int marked;

    Scripted(boolean mayWrite) {
      this.mayWrite = mayWrite;
    }

    @Override
    public Optional<Job> read(JobRef ref) {
      if (failures.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        throw new DbJobsException(
            ErrorCode.NODE_UNREACHABLE,
            "db2 does not answer",
            new SQLNonTransientConnectionException("refused", "08S01"));
      }
      return Optional.ofNullable(now.get());
    }

    @Override
    public boolean markLost(JobRef ref, String observer) {
      if (!mayWrite) {
        return false;
      }
      marked++;
      now.set(row(JobState.FAILED, false, "AGENT_LOST", "agent lost: noticed by " + observer));
      return true;
    }
  }

  private static JobWatcher watcher(JobSource s, List<DbJobsException> errors) {
    return new JobWatcher(s, "tester", new Pacer(), Duration.ofMillis(1), errors::add);
  }

  @Test
  void waitsUntilTheJobEnds() throws Exception {
    Scripted s = new Scripted(true);
    s.now.set(row(JobState.RUNNING, false, null, null));
    List<Job> seen = new ArrayList<>();
    Job end =
        watcher(s, new ArrayList<>())
            .awaitEnd(
                REF,
                Duration.ofSeconds(5),
                j -> {
                  seen.add(j);
                  if (seen.size() == 3) {
                    s.now.set(row(JobState.SUCCEEDED, false, null, "done"));
                  }
                });
    assertThat(end.state()).isEqualTo(JobState.SUCCEEDED);
    assertThat(seen).hasSize(4);
  }

  @Test
  void aRefusalTheStepReadsInTheRowEndsTheWaitAtOnceInsteadOfBeingRetriedAsAFailedRead() {
    Scripted s = new Scripted(true);
    s.now.set(row(JobState.FAILED, false, "PREFLIGHT_REFUSED", "connection 'west' refused"));
    List<DbJobsException> readErrors = new ArrayList<>();
    assertTimeoutPreemptively(
        Duration.ofSeconds(20),
        () ->
            assertThatThrownBy(
                    () ->
                        watcher(s, readErrors)
                            .await(
                                REF,
                                Duration.ofMinutes(10),
                                new JobWatcher.Step<Job>() {
                                  @Override
                                  public Job onRow(Job row) {
                                    throw new DbJobsException(
                                        ErrorCode.PREFLIGHT_REFUSED, row.result());
                                  }
                                }))
                .isInstanceOf(DbJobsException.class)
                .hasMessage("connection 'west' refused"));
    assertThat(readErrors).isEmpty();
  }

  @Test
  void anExpiredLeaseIsMarkedLostWhereTheSourceMayWrite() throws Exception {
    Scripted s = new Scripted(true);
    s.now.set(row(JobState.RUNNING, true, null, null));
    List<String> notes = new ArrayList<>();
    Job end =
        watcher(s, new ArrayList<>())
            .await(
                REF,
                Duration.ofSeconds(5),
                new JobWatcher.Step<Job>() {
                  @Override
                  public Job onRow(Job row) {
                    return row.state().isFinal() ? row : null;
                  }

                  @Override
                  public void note(String message) {
                    notes.add(message);
                  }
                });
    assertThat(s.marked).isEqualTo(1);
    assertThat(end.errorCode()).isEqualTo("AGENT_LOST");
    assertThat(end.result()).contains("noticed by tester");
    assertThat(notes).anyMatch(n -> n.contains("agent lost"));
  }

  @Test
  void anExpiredLeaseIsReportedLostEvenWhereTheSourceMayNotWrite() throws Exception {
    Scripted s = new Scripted(false);
    s.now.set(row(JobState.WAITING_FOR_STREAM, true, null, null));
    Job end = watcher(s, new ArrayList<>()).awaitEnd(REF, Duration.ofSeconds(5), j -> {});
    assertThat(end.state()).isEqualTo(JobState.FAILED);
    assertThat(end.errorCode()).isEqualTo("AGENT_LOST");
    assertThat(end.result())
        .contains("db2@host/1 stopped renewing its lease")
        .contains("phase 'optimizing'")
        .contains("its owner marks it lost");
  }

  @Test
  void readFailuresAreCountedAndToldOncePerSpell() throws Exception {
    Scripted s = new Scripted(true);
    s.now.set(row(JobState.RUNNING, false, null, null));
    s.failures.set(5);
    List<DbJobsException> errors = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    Job end =
        watcher(s, errors)
            .await(
                REF,
                Duration.ofSeconds(5),
                new JobWatcher.Step<Job>() {
                  @Override
                  public Job onRow(Job row) {
                    return row;
                  }

                  @Override
                  public void note(String message) {
                    notes.add(message);
                  }
                });
    assertThat(end.state()).isEqualTo(JobState.RUNNING);
    assertThat(errors).hasSize(5);
    assertThat(notes)
        .containsExactly(
            "cannot read optimize 'k1' on db2 (error 0 (08S01): refused); still waiting",
            "db2 answers again (after 5 failed reads)");
  }

  @Test
  void theDeadlineEndsTheWaitNamingTheJobsLastStateAndPhase() {
    Scripted s = new Scripted(true);
    s.now.set(row(JobState.RUNNING, false, null, null));
    assertThatThrownBy(
            () -> watcher(s, new ArrayList<>()).awaitEnd(REF, Duration.ofMillis(50), j -> {}))
        .isInstanceOf(DbJobsException.class)
        .hasMessageContaining("optimize 'k1' on db2 (job 7) is still running in phase 'optimizing'")
        .hasMessageContaining("dbjobs jobs --node db2 7")
        .extracting(e -> ((DbJobsException) e).code())
        .isEqualTo(ErrorCode.TIMEOUT);
  }

  @Test
  void aWakeLooksAtOnceInsteadOfAfterThePoll() {
    Scripted s = new Scripted(true);
    s.now.set(row(JobState.RUNNING, false, null, null));
    Pacer pacer = new Pacer();
    JobWatcher w = new JobWatcher(s, "tester", pacer, Duration.ofMinutes(10), e -> {});
    Thread finisher =
        new Thread(
            () -> {
              s.now.set(row(JobState.SUCCEEDED, false, null, "done"));
              pacer.wake();
            });
    // without the wake the second look would come after ten minutes
    Job end =
        assertTimeoutPreemptively(
            Duration.ofSeconds(20),
            () ->
                w.awaitEnd(
                    REF,
                    Duration.ofMinutes(30),
                    j -> {
                      if (!finisher.isAlive() && j.state() == JobState.RUNNING) {
                        finisher.start();
                      }
                    }));
    assertThat(end.state()).isEqualTo(JobState.SUCCEEDED);
  }
}
