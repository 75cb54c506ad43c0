package io.dbjobs.manager.keys;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.auth.JobKey;
import io.dbjobs.common.auth.KeyRing;
import io.dbjobs.common.job.Job;
import io.dbjobs.common.job.JobRef;
import io.dbjobs.common.job.JobState;
import io.dbjobs.common.job.NewJob;
import io.dbjobs.common.job.Task;
import io.dbjobs.common.jobs.ManagerJobs;
import io.dbjobs.common.watch.JobWatcher;
import io.dbjobs.common.watch.Pacer;
import io.dbjobs.common.watch.TableSource;
import io.dbjobs.manager.config.NodeConfig;
import io.dbjobs.manager.fleet.NodeConnections;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * Rotates a node's job key without a moment in which jobs fail: a new key is sent to the node's
 * agent in a {@code rotate-key} job sealed with the current key (the new key travels encrypted in
 * the job's secret box); the agent makes it current and keeps the old one; only once the agent
 * succeeded does the manager seal with the new key. Jobs sealed with the old key and still queued
 * keep running. If anything fails, the manager keeps sealing with the old key.
 */
public final class RotateKeys {
  /** What a rotation did. */
  public record Rotated(String node, List<String> before, List<String> after, Job job) {}

  private final NodeConnections connections;

  public RotateKeys(NodeConnections connections) {
    this.connections = connections;
  }

  /**
   * Rotates the key of {@code node}.
   *
   * @throws DbJobsException the agent's failure (the manager's keys are unchanged), or TIMEOUT
   */
  public Rotated rotate(NodeConfig node, String by, Duration timeout, Consumer<Job> progress)
      throws InterruptedException {
    NodeKeyRings keys = connections.keys();
    KeyRing ring = keys.ring(node.name());
    JobKey next = JobKey.generate();
    String key = "rotate-key-" + UUID.randomUUID();
    ManagerJobs jobs = connections.jobs(node);
    jobs.enqueue(new NewJob(Task.ROTATE_KEY, Map.of(), key, "", 0, "", next.toHex(), by));
    Job end =
        new JobWatcher(new TableSource(jobs), "dbjobs keys rotate", new Pacer())
            .awaitEnd(new JobRef(node.name(), key, Task.ROTATE_KEY), timeout, progress);
    if (end.state() != JobState.SUCCEEDED) {
      ErrorCode code = ErrorCode.fromRow(end.errorCode());
      throw new DbJobsException(
          code == null ? ErrorCode.INTERNAL : code,
          "rotating the job key of "
              + node.name()
              + " failed (job "
              + end.id()
              + " "
              + end.state().label()
              + ": "
              + end.result()
              + "); the manager keeps sealing with key "
              + ring.current().id());
    }
    KeyRing rotated = ring.rotatedTo(next, ring.current());
    keys.replace(rotated);
    return new Rotated(node.name(), ring.ids(), rotated.ids(), end);
  }
}
