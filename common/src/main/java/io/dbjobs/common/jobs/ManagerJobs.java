package io.dbjobs.common.jobs;

import io.dbjobs.common.job.Job;
import io.dbjobs.common.job.JobRef;
import io.dbjobs.common.job.NewJob;
import java.util.List;
import java.util.Optional;

/**
 * The manager's side of one node's jobs table: enqueue (sealed for that node), find, list, cancel,
 * and mark jobs whose agent was lost. The states it writes are queued, cancelled and failed (agent
 * lost); every other transition is the agent's ({@link AgentJobs}).
 */
public interface ManagerJobs {
  /** The node this table belongs to (the one its jobs are sealed for). */
  String node();

  /** The node, for messages, e.g. {@code db2 (10.0.0.2:3306)}. */
  String where();

  /** The row of an enqueued job and whether this call created it (false: the key existed). */
  record Enqueued(Job job, boolean created) {}

  /**
   * Enqueues a job sealed for this node. A second call with the same idempotency key returns the
   * first job; with the same key but another task or other parameters it fails with
   * IDEMPOTENCY_CONFLICT.
   */
  Enqueued enqueue(NewJob job);

  /** The job {@code ref} names (key and task), if this node's table holds it. */
  Optional<Job> find(JobRef ref);

  /** A job by the id an operator typed ({@code dbjobs jobs --node db2 42}); code uses refs. */
  Optional<Job> findById(long id);

  /** Jobs matching the query, newest first (or oldest first after {@code afterId}). */
  List<Job> list(JobQuery q);

  /** How many jobs are queued and how many active (running or waiting for a stream). */
  record Counts(int queued, int active) {}

  Counts counts();

  /** What a cancel did. */
  enum CancelResult {
    /** The job was queued and is now cancelled; it will never start. */
    CANCELLED,
    /** The job is running; its agent was asked to stop it and will mark it cancelled. */
    REQUESTED,
    /** The job had already ended. */
    ALREADY_FINAL,
    NOT_FOUND
  }

  /** Cancels a queued job at once, or asks the agent of a running job to stop it. */
  CancelResult cancel(JobRef ref, String by);

  /** {@link #cancel(JobRef, String)} by the id an operator typed. */
  CancelResult cancelById(long id, String by);

  /**
   * Fails every active job whose lease expired by the database's clock: its agent died or lost its
   * database. Such a job is never re-run (a destructive one could do harm twice).
   *
   * @param observer who noticed, for the message
   * @return how many jobs were marked lost
   */
  int failLostAgents(String observer);
}
