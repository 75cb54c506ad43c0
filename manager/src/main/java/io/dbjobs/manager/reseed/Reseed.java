package io.dbjobs.manager.reseed;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.job.Job;
import io.dbjobs.common.job.JobState;
import io.dbjobs.common.job.NewJob;
import io.dbjobs.common.job.Task;
import io.dbjobs.common.job.TaskStreamParams;
import io.dbjobs.common.jobs.JobsDao;
import io.dbjobs.common.net.HostPort;
import io.dbjobs.common.stream.StreamSecret;
import io.dbjobs.common.stream.StreamTarget;
import io.dbjobs.common.time.Durations;
import io.dbjobs.common.time.Sleeper;
import io.dbjobs.manager.config.ManagerConfig;
import io.dbjobs.manager.config.NodeConfig;
import io.dbjobs.manager.fleet.JobView;
import io.dbjobs.manager.fleet.NodeConnections;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The reseed verb: checks that a reseed of a node is safe and can succeed, enqueues the joiner's
 * job, has the source send the data once the joiner listens, and follows the joiner's job to its
 * end. Used by the CLI in-process and by the daemon.
 */
public final class Reseed {
  private static final Logger LOG = LoggerFactory.getLogger(Reseed.class);
  private static final Duration LISTEN_TIMEOUT = Duration.ofMinutes(3);
  private static final Duration POLL = Duration.ofMillis(200);
  private static final List<String> DESTRUCTIVE =
      List.of(
          Task.RESEED_PHYSICAL.wireName(),
          Task.RESEED_LOGICAL.wireName(),
          Task.FLASHBACK.wireName(),
          Task.STOP.wireName(),
          Task.RESTART.wireName());

  /**
   * What to reseed and how.
   *
   * @param primary the primary to follow; null to detect it
   * @param force reseed even the node that looks like the primary
   * @param keepOld keep the replaced data; null for the agent's setting
   * @param flashback the node is an old primary rejoining from its own backup
   */
  public record Request(
      String node,
      ReseedMethod method,
      String donor,
      String backupId,
      String primary,
      boolean force,
      Boolean keepOld,
      String submittedBy,
      boolean flashback) {}

  /** What the caller hears while the reseed runs. */
  public interface Listener {
    void note(String message);

    void progress(JobView joinerJob);

    /** The joiner's job was enqueued (the preflight passed). */
    default void enqueued(JobView joinerJob) {}
  }

  /** The joiner's job at its end, and what the source said if it failed. */
  public record Outcome(JobView joinerJob, String source, String sourceError) {
    public boolean succeeded() {
      return joinerJob.job().state() == JobState.SUCCEEDED;
    }
  }

  /** Builds the source of a method once the preflight's view of the cluster is known. */
  @FunctionalInterface
  interface Sources {
    ReseedSource choose(
        Request request, Topology topology, Topology.NodeView joiner, Topology.NodeView primary);
  }

  private final ManagerConfig config;
  private final NodeConnections connections;
  private final Sources sources;
  private final Sleeper sleeper;

  public Reseed(
      ManagerConfig config, NodeConnections connections, Sources sources, Sleeper sleeper) {
    this.config = config;
    this.connections = connections;
    this.sources = sources;
    this.sleeper = sleeper;
  }

  public Outcome run(Request r, Listener listener) throws InterruptedException {
    NodeConfig joinerConfig = config.node(r.node());
    Topology topology = Topology.read(connections, config.cluster(joinerConfig.cluster()));
    Topology.NodeView joiner = topology.node(joinerConfig.name());
    Topology.NodeView primary = preflight(r, topology, joiner);
    ReseedSource source = sources.choose(r, topology, joiner, primary);
    listener.note(
        "reseeding "
            + joiner.name()
            + " by "
            + r.method().label()
            + " from "
            + source.describe()
            + "; it will replicate from "
            + primary.name());

    String secret = StreamSecret.mint();
    String streamId = "reseed/" + joinerConfig.qualifiedName() + "/" + UUID.randomUUID();
    Map<String, String> params = new LinkedHashMap<>();
    params.put(TaskStreamParams.STREAM_ID, streamId);
    params.put(
        TaskStreamParams.PRIMARY,
        new HostPort(primary.node().database().host(), primary.node().database().port())
            .toString());
    params.put(TaskStreamParams.SOURCE, source.describe());
    if (source.expectedBytes() != null) {
      params.put(TaskStreamParams.EXPECTED_BYTES, Long.toString(source.expectedBytes()));
    }
    if (r.keepOld() != null) {
      params.put(TaskStreamParams.KEEP_OLD_DATADIR, r.keepOld().toString());
    }
    Task task = r.flashback() ? Task.FLASHBACK : r.method().joinerTask();
    if (r.flashback()) {
      params.put(TaskStreamParams.FORMAT, r.method().physical() ? "physical" : "logical");
    }
    JobsDao dao = connections.jobs(joinerConfig);
    long id =
        dao.insert(
                new NewJob(
                    task,
                    task.validate(params),
                    "reseed-" + UUID.randomUUID(),
                    "",
                    0,
                    secret,
                    r.submittedBy()))
            .id();
    listener.note("job " + id + " queued on " + joiner.name() + " (" + task + ")");
    listener.enqueued(new JobView(joiner.name(), dao.find(id).orElseThrow()));

    Job listening = awaitListening(dao, joinerConfig, id);
    listener.progress(new JobView(joiner.name(), listening));
    StreamTarget target =
        new StreamTarget(
            joinerConfig.database().host(), joinerConfig.streamPort(), streamId, secret);
    AtomicReference<Throwable> sendFailure = new AtomicReference<>();
    Thread sender =
        new Thread(
            () -> {
              try {
                source.send(target);
              } catch (Throwable t) {
                sendFailure.set(t);
                LOG.warn(
                    "sending {} to {} failed: {}",
                    source.describe(),
                    joiner.name(),
                    DbJobsException.describe(t));
              }
            },
            "reseed-source-" + joiner.name());
    sender.start();
    Job last = listening;
    while (!last.state().isFinal()) {
      sleeper.sleep(POLL);
      last = readQuietly(dao, id, last);
      listener.progress(new JobView(joiner.name(), last));
    }
    sender.join(Duration.ofMinutes(1).toMillis());
    Throwable f = sendFailure.get();
    return new Outcome(
        new JobView(joiner.name(), last),
        source.describe(),
        f == null ? null : DbJobsException.describe(f));
  }

  /** Refuses a reseed that is unsafe or cannot work, saying why and what to do instead. */
  Topology.NodeView preflight(Request r, Topology topology, Topology.NodeView joiner) {
    if (!joiner.up()) {
      throw new DbJobsException(
          ErrorCode.PREFLIGHT_REFUSED,
          joiner.name()
              + "'s server does not answer ("
              + joiner.error()
              + "); a reseed job reaches its agent"
              + " through the server's jobs table: start it first (dbjobs submit --node "
              + joiner.name()
              + " --task start)");
    }
    boolean looksPrimary = !joiner.replica() && !joiner.readOnly();
    if (r.flashback()) {
      // an old primary may still look like one: it follows the node that is the primary now
      Topology.NodeView primary = topology.primaryExcept(joiner.name(), r.primary());
      checkNoDestructiveJob(joiner);
      return primary;
    }
    if (looksPrimary && !r.force()) {
      throw new DbJobsException(
          ErrorCode.PREFLIGHT_REFUSED,
          joiner.name()
              + " is the current primary (writable, replicating from nobody); reseeding it replaces the data"
              + " the cluster writes to. Demote it first (or fail over), or pass --force --primary <node> if another"
              + " node is the real primary");
    }
    Topology.NodeView primary =
        topology.primary(looksPrimary ? requirePrimaryOverride(r, joiner) : r.primary());
    if (primary.name().equals(joiner.name())) {
      throw new DbJobsException(
          ErrorCode.PREFLIGHT_REFUSED,
          joiner.name() + " cannot replicate from itself: name another primary with --primary");
    }
    checkNoDestructiveJob(joiner);
    return primary;
  }

  private void checkNoDestructiveJob(Topology.NodeView joiner) {
    List<Job> busy =
        connections.jobs(joiner.node()).list(JobsDao.Query.latest(200)).stream()
            .filter(j -> !j.state().isFinal() && DESTRUCTIVE.contains(j.task()))
            .toList();
    if (!busy.isEmpty()) {
      Job b = busy.get(0);
      throw new DbJobsException(
          ErrorCode.PREFLIGHT_REFUSED,
          joiner.name()
              + " already has a destructive job "
              + b.state().label()
              + ": job "
              + b.id()
              + " ("
              + b.task()
              + "); wait for it or cancel it (dbjobs cancel --node "
              + joiner.name()
              + " "
              + b.id()
              + ")");
    }
  }

  private static String requirePrimaryOverride(Request r, Topology.NodeView joiner) {
    if (r.primary() == null) {
      throw new DbJobsException(
          ErrorCode.PREFLIGHT_REFUSED,
          "--force reseeds "
              + joiner.name()
              + " although it looks like the primary; say which node is the primary with --primary");
    }
    return r.primary();
  }

  private Job awaitListening(JobsDao dao, NodeConfig joiner, long id) throws InterruptedException {
    long deadline = System.nanoTime() + LISTEN_TIMEOUT.toNanos();
    while (true) {
      Job j =
          dao.find(id)
              .orElseThrow(
                  () ->
                      new DbJobsException(
                          ErrorCode.NOT_FOUND,
                          "job " + id + " vanished from " + joiner.describe()));
      if (j.state() == JobState.WAITING_FOR_STREAM) {
        return j;
      }
      if (j.state().isFinal()) {
        throw new DbJobsException(
            ErrorCode.fromRow(j.errorCode()) == null
                ? ErrorCode.RESTORE_FAILED
                : ErrorCode.fromRow(j.errorCode()),
            "the joiner's job "
                + id
                + " on "
                + joiner.name()
                + " ended "
                + j.state().label()
                + " before its stream started: "
                + j.result());
      }
      if (System.nanoTime() > deadline) {
        throw new DbJobsException(
            ErrorCode.TIMEOUT,
            "the agent of "
                + joiner.name()
                + " did not open its stream listener within "
                + Durations.human(LISTEN_TIMEOUT)
                + " (job "
                + id
                + " is "
                + j.state().label()
                + "); is dbjobs-agent running there?");
      }
      sleeper.sleep(Duration.ofMillis(200));
    }
  }

  /** The job's row, or the last one seen while the node restarts or restores its jobs table. */
  private static Job readQuietly(JobsDao dao, long id, Job last) {
    try {
      return dao.find(id).orElse(last);
    } catch (DbJobsException e) {
      return last;
    }
  }
}
