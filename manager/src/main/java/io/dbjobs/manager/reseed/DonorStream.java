package io.dbjobs.manager.reseed;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.job.Job;
import io.dbjobs.common.job.JobState;
import io.dbjobs.common.job.NewJob;
import io.dbjobs.common.job.Task;
import io.dbjobs.common.job.TaskStreamParams;
import io.dbjobs.common.jobs.JobsDao;
import io.dbjobs.common.stream.StreamTarget;
import io.dbjobs.common.time.Sleeper;
import io.dbjobs.manager.config.NodeConfig;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

/**
 * {@code physicaldonor}: the donor's agent runs a physical backup whose stream goes straight to the
 * joiner's listener (the joiner's stream id and secret are put in the donor's row); nothing is
 * staged on the manager.
 */
final class DonorStream implements ReseedSource {
  private final NodeConfig donor;
  private final JobsDao donorJobs;
  private final Long expectedBytes;
  private final String compression;
  private final String submittedBy;
  private final Sleeper sleeper;

  DonorStream(
      NodeConfig donor,
      JobsDao donorJobs,
      Long expectedBytes,
      String compression,
      String submittedBy,
      Sleeper sleeper) {
    this.donor = donor;
    this.donorJobs = donorJobs;
    this.expectedBytes = expectedBytes;
    this.compression = compression;
    this.submittedBy = submittedBy;
    this.sleeper = sleeper;
  }

  @Override
  public String describe() {
    return "donor " + donor.name();
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
    long id =
        donorJobs
            .insert(
                new NewJob(
                    Task.BACKUP_PHYSICAL,
                    params,
                    "reseed-donor-" + UUID.randomUUID(),
                    target.host(),
                    target.port(),
                    target.secretHex(),
                    submittedBy))
            .id();
    Job j;
    while (true) {
      j =
          donorJobs
              .find(id)
              .orElseThrow(
                  () ->
                      new DbJobsException(
                          ErrorCode.NOT_FOUND, "the donor's job " + id + " vanished"));
      if (j.state().isFinal()) {
        break;
      }
      sleeper.sleep(Duration.ofMillis(200));
    }
    if (j.state() != JobState.SUCCEEDED) {
      throw new DbJobsException(
          ErrorCode.fromRow(j.errorCode()) == null
              ? ErrorCode.TOOL_FAILED
              : ErrorCode.fromRow(j.errorCode()),
          "the donor "
              + donor.name()
              + "'s backup job "
              + id
              + " "
              + j.state().label()
              + ": "
              + j.result());
    }
  }
}
