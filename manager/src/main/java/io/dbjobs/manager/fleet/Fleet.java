package io.dbjobs.manager.fleet;

import io.dbjobs.common.job.JobRef;
import io.dbjobs.common.job.JobState;
import io.dbjobs.common.job.Task;
import io.dbjobs.common.jobs.ManagerJobs;
import java.util.List;
import java.util.Map;

/**
 * What the manager does with its nodes' jobs: the verbs of the CLI and the HTTP API. {@link
 * DirectFleet} works against the nodes' tables directly.
 */
public interface Fleet extends AutoCloseable {
  List<NodeStatus> nodes();

  /**
   * Jobs of one node (or all nodes when {@code node} is null), newest first, and the nodes that
   * could not be read with why.
   */
  JobList jobs(String node, JobState state, String task, int limit);

  /** Jobs, newest first, and unreadable nodes with the reason. */
  record JobList(List<JobView> jobs, Map<String, String> unreachable) {}

  JobView job(String node, long id);

  /**
   * The job {@code ref} names (node, idempotency key and task): from the node's table, or, while
   * the node's database is down, from its agent (a {@code start} submitted there has no row yet: id
   * 0).
   */
  JobView job(JobRef ref);

  /** A request to enqueue a job; the same {@code idempotencyKey} twice is one job. */
  record SubmitRequest(
      String node,
      Task task,
      Map<String, String> params,
      String idempotencyKey,
      String submittedBy) {}

  /** The enqueued (or already existing) job. */
  record Submitted(JobView job, boolean created) {}

  Submitted submit(SubmitRequest request);

  ManagerJobs.CancelResult cancel(String node, long id, String by);

  /**
   * Marks the jobs of {@code node} whose lease expired as failed (agent lost), where this fleet
   * writes to the nodes itself; through the daemon that is its watchdog's work (false).
   */
  boolean markLost(String node, String observer);

  @Override
  void close();
}
