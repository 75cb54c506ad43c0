package io.dbjobs.manager.reseed;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.job.Job;
import io.dbjobs.common.job.JobRef;
import io.dbjobs.common.job.JobState;
import io.dbjobs.common.job.NewJob;
import io.dbjobs.common.job.Task;
import io.dbjobs.common.job.TaskStreamParams;
import io.dbjobs.common.jobs.ManagerJobs;
import io.dbjobs.common.stream.StreamTarget;
import io.dbjobs.common.time.Durations;
import io.dbjobs.common.watch.JobWatcher;
import io.dbjobs.common.watch.Pacer;
import io.dbjobs.common.watch.TableSource;
import io.dbjobs.manager.config.NodeConfig;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

/**
 * {@code physicaldonor}: the donor's agent runs a physical backup whose stream goes straight to the
 * joiner's listener (the joiner's stream id, and the secret wrapped for the donor, in the donor's
 * sealed row); nothing is staged on the manager. Interrupted (the joiner's job ended), or when the
 * donor's agent does not claim the job within {@link #CLAIM_TIMEOUT}, it cancels the donor's job.
 */
final class DonorStream implements ReseedSource {
  /** How long the donor's agent may take to claim its backup job. */
  static final Duration CLAIM_TIMEOUT = Duration.ofMinutes(3);

  private final NodeConfig donor;
  private final ManagerJobs donorJobs;
  private final Long expectedBytes;
  private final String compression;
  private final String submittedBy;
  private final String joinerIdentity;
  private final Duration timeout;
  private final Duration claimTimeout;

  DonorStream(
      NodeConfig donor,
      ManagerJobs donorJobs,
      Long expectedBytes,
      String compression,
      String submittedBy,
      String joinerIdentity,
      Duration timeout) {
    this(
        donor,
        donorJobs,
        expectedBytes,
        compression,
        submittedBy,
        joinerIdentity,
        timeout,
        CLAIM_TIMEOUT);
  }

  DonorStream(
      NodeConfig donor,
      ManagerJobs donorJobs,
      Long expectedBytes,
      String compression,
      String submittedBy,
      String joinerIdentity,
      Duration timeout,
      Duration claimTimeout) {
    this.donor = donor;
    this.claimTimeout = claimTimeout;
    this.donorJobs = donorJobs;
    this.expectedBytes = expectedBytes;
    this.compression = compression;
    this.submittedBy = submittedBy;
    this.joinerIdentity = joinerIdentity;
    this.timeout = timeout;
  }

  @Override
  public String describe() {
    return "donor " + donor.name();
  }

  @Override
  public String senderIdentity() {
    return donor.name() + "," + donor.database().host();
  }

  @Override
  public Long expectedBytes() {
    return expectedBytes;
  }

  @Override
  public void send(StreamTarget target) throws InterruptedException {
    Map<String, String> params =
        Task.BACKUP_PHYSICAL.validate(
            Map.of(
                TaskStreamParams.STREAM_ID,
                target.streamId(),
                TaskStreamParams.COMPRESSION,
                compression));
    String key = "reseed-donor-" + UUID.randomUUID();
    JobRef ref = new JobRef(donor.name(), key, Task.BACKUP_PHYSICAL);
    donorJobs.enqueue(
        new NewJob(
            Task.BACKUP_PHYSICAL,
            params,
            key,
            target.host(),
            target.port(),
            joinerIdentity,
            target.secretHex(),
            submittedBy));
    JobWatcher watcher =
        new JobWatcher(new TableSource(donorJobs), "dbjobs manager (reseed)", new Pacer());
    Job j;
    try {
      awaitClaimed(watcher, ref);
      j = watcher.awaitEnd(ref, timeout, row -> {});
    } catch (InterruptedException | RuntimeException e) {
      boolean interrupted = Thread.interrupted();
      try {
        donorJobs.cancel(ref, "dbjobs manager (the reseed it fed ended)");
      } catch (DbJobsException c) {
        e.addSuppressed(c);
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
      throw e;
    }
    if (j.state() != JobState.SUCCEEDED) {
      throw new DbJobsException(
          ErrorCode.fromRow(j.errorCode()) == null
              ? ErrorCode.TOOL_FAILED
              : ErrorCode.fromRow(j.errorCode()),
          "the donor "
              + donor.name()
              + "'s backup job "
              + j.id()
              + " "
              + j.state().label()
              + ": "
              + j.result());
    }
  }

  /**
   * Waits until the donor's agent took its job: a queued job has no lease to expire, so without
   * this a donor whose agent is down would keep the joiner waiting for the whole job timeout.
   */
  private void awaitClaimed(JobWatcher watcher, JobRef ref) throws InterruptedException {
    try {
      watcher.await(
          ref,
          claimTimeout,
          new JobWatcher.Step<Job>() {
            @Override
            public Job onRow(Job j) {
              return j.state() == JobState.QUEUED ? null : j;
            }
          });
    } catch (DbJobsException e) {
      if (e.code() != ErrorCode.TIMEOUT) {
        throw e;
      }
      throw new DbJobsException(
          ErrorCode.AGENT_UNREACHABLE,
          "the agent of the donor "
              + donor.name()
              + " did not take its backup job within "
              + Durations.human(claimTimeout)
              + " ("
              + e.getMessage()
              + "); is dbjobs-agent running there? The job is cancelled.",
          e);
    }
  }
}
