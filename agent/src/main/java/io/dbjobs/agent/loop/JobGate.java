package io.dbjobs.agent.loop;

import io.dbjobs.agent.AgentConfig;
import io.dbjobs.agent.task.TaskHandler;
import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.auth.JobVerifier;
import io.dbjobs.common.auth.SealedFields;
import io.dbjobs.common.auth.SecretBox;
import io.dbjobs.common.job.Job;
import io.dbjobs.common.job.Task;
import io.dbjobs.common.job.TaskStreamParams;
import io.dbjobs.common.job.params.ParamsCodec;
import io.dbjobs.common.net.HostPort;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What a job row must pass before the agent does anything with it: its seal verifies for this node
 * and was never accepted before ({@link #verify}); then its task is one this agent runs, its
 * parameters are valid, and the peers it names are allowed ({@link #admit}). Nothing of the row is
 * used before {@link #verify} passed.
 */
final class JobGate {
  private final String node;
  private final JobVerifier verifier;
  private final SeenSeals seen;
  private final HandlerRegistry handlers;
  private final AgentConfig.Security security;

  JobGate(
      AgentConfig config, AgentKeys keys, SeenSeals seen, HandlerRegistry handlers, Clock clock) {
    this.node = config.node();
    this.verifier = new JobVerifier(node, keys::ring, clock);
    this.seen = seen;
    this.handlers = handlers;
    this.security = config.security();
  }

  /**
   * Checks the row's seal and that it was never accepted before.
   *
   * @throws DbJobsException UNAUTHENTICATED_JOB saying why
   */
  JobVerifier.Verified verify(Job row) {
    JobVerifier.Verified v = verifier.verify(fields(row), row.seal().seal());
    if (seen.contains(row.seal().seal())) {
      throw new DbJobsException(
          ErrorCode.UNAUTHENTICATED_JOB,
          "this sealed job was already accepted once on "
              + node
              + " (a replayed or re-queued row); a job never runs twice: submit a new one");
    }
    return v;
  }

  /**
   * Remembers the seal, durably, before the job is claimed.
   *
   * @throws DbJobsException UNAUTHENTICATED_JOB when it was remembered meanwhile
   */
  void remember(JobVerifier.Verified v, Job row) {
    if (!seen.add(v.seal(), row.seal().seal())) {
      throw new DbJobsException(
          ErrorCode.UNAUTHENTICATED_JOB,
          "this sealed job was already accepted once on " + node + " (a replayed row)");
    }
  }

  /** A verified job ready to run. */
  record Admitted(
      Job job,
      Task task,
      Map<String, String> params,
      TaskHandler handler,
      String secretHex,
      String peerName) {
    @Override
    public String toString() {
      return "Admitted[job " + job.id() + " " + task + ", peer " + peerName + "]";
    }
  }

  /**
   * Admits a verified job: a task this agent runs, valid parameters, allowed peers, its stream
   * secret opened.
   *
   * @throws DbJobsException UNKNOWN_TASK, BAD_PARAMETER or PREFLIGHT_REFUSED (a peer this node may
   *     not talk to) saying why; UNAUTHENTICATED_JOB when its secret does not open
   */
  Admitted admit(Job row, JobVerifier.Verified v) {
    Task task = Task.require(row.task());
    TaskHandler handler =
        handlers
            .forTask(task)
            .orElseThrow(
                () ->
                    new DbJobsException(
                        ErrorCode.UNKNOWN_TASK,
                        "task '"
                            + row.task()
                            + "' is not supported by this agent (dbjobs "
                            + AgentVersion.get()
                            + "); it runs: "
                            + handlers.tasks().stream()
                                .map(Task::wireName)
                                .collect(Collectors.joining(", "))));
    Map<String, String> params = task.validate(row.params());
    ParamsCodec.read(task.paramsType(), params); // the record's own checks (ranges...), now
    checkAllowed(row, params);
    String secret =
        row.seal().secretBox() == null
            ? null
            : SecretBox.unwrap(v.key(), node, row.idempotencyKey(), row.seal().secretBox());
    return new Admitted(row, task, params, handler, secret, row.seal().peerName());
  }

  private void checkAllowed(Job row, Map<String, String> params) {
    if (!row.server().isEmpty() && !allowed(security.allowSendTo(), row.server(), row.port())) {
      throw new DbJobsException(
          ErrorCode.PREFLIGHT_REFUSED,
          "this node may not send streams to "
              + row.server()
              + ":"
              + row.port()
              + ": it is not in security.allowSendTo "
              + security.allowSendTo()
              + " of agent.yml");
    }
    String primary = params.get(TaskStreamParams.PRIMARY);
    if (primary != null) {
      HostPort p = HostPort.parse(primary);
      if (!allowed(security.allowReplicateFrom(), p.host(), p.port())) {
        throw new DbJobsException(
            ErrorCode.PREFLIGHT_REFUSED,
            "this node may not replicate from "
                + primary
                + ": it is not in security.allowReplicateFrom "
                + security.allowReplicateFrom()
                + " of agent.yml");
      }
    }
  }

  /** An empty list allows everything; entries are {@code host} or {@code host:port}. */
  static boolean allowed(List<String> list, String host, int port) {
    if (list.isEmpty()) {
      return true;
    }
    String h = host.toLowerCase(Locale.ROOT);
    for (String e : list) {
      String entry = e.toLowerCase(Locale.ROOT);
      if (entry.equals(h) || entry.equals(h + ":" + port)) {
        return true;
      }
    }
    return false;
  }

  static SealedFields fields(Job row) {
    return new SealedFields(
        "",
        row.id(),
        row.idempotencyKey(),
        row.task(),
        row.paramsJson(),
        row.server(),
        row.port(),
        row.seal().peerName(),
        row.seal().secretBox(),
        java.time.Instant.EPOCH);
  }
}
