package io.dbjobs.common.watch;

import io.dbjobs.common.job.Job;
import io.dbjobs.common.job.JobRef;
import java.util.Optional;

/**
 * Where a {@link JobWatcher} reads a job: a node's table directly, or the manager daemon's API. A
 * source that may write also marks a job whose lease expired as lost; one that may not (the CLI
 * through the API) leaves that to its owner, and the watcher reports the loss all the same.
 */
public interface JobSource {
  /**
   * The job's row now, or empty when the node's table does not hold it (yet, or for a moment: after
   * a physical swap the table is the donor's copy until the node's history is put back).
   *
   * @throws io.dbjobs.common.DbJobsException when the node (or daemon) cannot be read
   */
  Optional<Job> read(JobRef ref);

  /**
   * Marks the jobs of the node whose lease expired as failed (agent lost), if this source may
   * write; returns whether it did.
   */
  default boolean markLost(JobRef ref, String observer) {
    return false;
  }
}
