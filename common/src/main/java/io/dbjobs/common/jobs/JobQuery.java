package io.dbjobs.common.jobs;

import io.dbjobs.common.job.JobState;

/** Filters for listing jobs; null fields match everything. */
public record JobQuery(JobState state, String task, Long afterId, int limit) {
  public static JobQuery latest(int limit) {
    return new JobQuery(null, null, null, limit);
  }
}
