package io.dbjobs.manager.api;

import com.fasterxml.jackson.core.type.TypeReference;
import io.dbjobs.common.job.JobRef;
import io.dbjobs.common.job.JobState;
import io.dbjobs.common.jobs.ManagerJobs;
import io.dbjobs.manager.fleet.Fleet;
import io.dbjobs.manager.fleet.JobView;
import io.dbjobs.manager.fleet.NodeStatus;
import java.util.List;
import java.util.Map;

/**
 * The fleet verbs through a running {@code dbjobs serve}: what the CLI uses when manager.yml has
 * {@code api.url} (or {@code --api URL} is given). Same answers and the same errors as {@link
 * io.dbjobs.manager.fleet.DirectFleet}, which the daemon runs on its side.
 */
public final class ApiFleet implements Fleet {
  private final ApiClient client;

  public ApiFleet(ApiClient client) {
    this.client = client;
  }

  public ApiClient client() {
    return client;
  }

  @Override
  public List<NodeStatus> nodes() {
    return client.get(ManagerApi.NODES, new TypeReference<List<NodeStatus>>() {});
  }

  @Override
  public JobList jobs(String node, JobState state, String task, int limit) {
    StringBuilder q = new StringBuilder(ManagerApi.JOBS).append("?limit=").append(limit);
    if (node != null) {
      q.append("&node=").append(ManagerApi.encode(node));
    }
    if (state != null) {
      q.append("&state=").append(state.label());
    }
    if (task != null) {
      q.append("&task=").append(ManagerApi.encode(task));
    }
    ManagerApi.JobListDoc d = client.get(q.toString(), ManagerApi.JobListDoc.class);
    return new JobList(
        d.jobs().stream().map(ManagerApi.JobDoc::toView).toList(),
        d.unreachable() == null ? Map.of() : d.unreachable());
  }

  @Override
  public JobView job(String node, long id) {
    return client.get(ManagerApi.jobPath(node, id), ManagerApi.JobDoc.class).toView();
  }

  @Override
  public JobView job(JobRef ref) {
    return client.get(ManagerApi.byKeyPath(ref), ManagerApi.JobDoc.class).toView();
  }

  @Override
  public Submitted submit(SubmitRequest r) {
    ManagerApi.SubmittedDoc d =
        client.post(
            ManagerApi.JOBS,
            new ManagerApi.SubmitBody(
                r.node(), r.task().wireName(), r.params(), r.idempotencyKey(), r.submittedBy()),
            ManagerApi.SubmittedDoc.class);
    return new Submitted(d.job().toView(), d.created());
  }

  @Override
  public ManagerJobs.CancelResult cancel(String node, long id, String by) {
    ManagerApi.CancelDoc d =
        client.post(
            ManagerApi.cancelPath(node, id),
            new ManagerApi.CancelBody(by),
            ManagerApi.CancelDoc.class);
    return ManagerJobs.CancelResult.valueOf(d.result());
  }

  @Override
  public boolean markLost(String node, String observer) {
    return false; // the daemon's watchdog marks lost agents' jobs
  }

  @Override
  public void close() {
    // nothing held: java.net.http connections close with the client
  }
}
