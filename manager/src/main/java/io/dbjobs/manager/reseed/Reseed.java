package io.dbjobs.manager.reseed;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.auth.JobVerifier;
import io.dbjobs.common.auth.SealedFields;
import io.dbjobs.common.job.Job;
import io.dbjobs.common.job.JobRef;
import io.dbjobs.common.job.JobState;
import io.dbjobs.common.job.NewJob;
import io.dbjobs.common.job.Task;
import io.dbjobs.common.job.TaskStreamParams;
import io.dbjobs.common.jobs.JobQuery;
import io.dbjobs.common.jobs.ManagerJobs;
import io.dbjobs.common.net.HostPort;
import io.dbjobs.common.stream.PeerIdentity;
import io.dbjobs.common.stream.StreamSecret;
import io.dbjobs.common.stream.StreamTarget;
import io.dbjobs.common.time.Durations;
import io.dbjobs.common.time.Steps;
import io.dbjobs.common.watch.JobWatcher;
import io.dbjobs.common.watch.Pacer;
import io.dbjobs.common.watch.TableSource;
import io.dbjobs.manager.config.ManagerConfig;
import io.dbjobs.manager.config.NodeConfig;
import io.dbjobs.manager.fleet.JobView;
import io.dbjobs.manager.fleet.NodeConnections;
import java.time.Clock;
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

  /** The longest a reseed may take, from enqueue to the joiner's end. */
  static final Duration JOB_TIMEOUT = Duration.ofHours(48);

  /** How long the source may take to stop once the joiner's job ended. */
  private static final Duration SENDER_STOP = Duration.ofMinutes(1);

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
   * @param position how the rebuilt node is positioned on the primary
   * @param binlogAt {@code FILE:POS} on the primary given by the operator in place of the data's
   *     own (with {@link Position#BINLOG}), or null
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
      boolean flashback,
      Position position,
      String binlogAt) {
    public Request {
      position = position == null ? Position.GTID : position;
      if (binlogAt != null) {
        // checked here, before anything is enqueued: mysql-bin.000001:4-shaped only
        try {
          binlogAt =
              io.dbjobs.common.backup.BackupPosition.parseCoordinates(binlogAt).coordinates();
        } catch (DbJobsException e) {
          throw new DbJobsException(ErrorCode.USAGE, "--binlog: " + e.getMessage(), e);
        }
        position = Position.BINLOG;
      }
    }

    /** A request without an operator's file:position. */
    public Request(
        String node,
        ReseedMethod method,
        String donor,
        String backupId,
        String primary,
        boolean force,
        Boolean keepOld,
        String submittedBy,
        boolean flashback,
        Position position) {
      this(
          node,
          method,
          donor,
          backupId,
          primary,
          force,
          keepOld,
          submittedBy,
          flashback,
          position,
          null);
    }

    /** A request positioned by GTID. */
    public Request(
        String node,
        ReseedMethod method,
        String donor,
        String backupId,
        String primary,
        boolean force,
        Boolean keepOld,
        String submittedBy,
        boolean flashback) {
      this(node, method, donor, backupId, primary, force, keepOld, submittedBy, flashback, null);
    }
  }

  /**
   * How a rebuilt node is positioned on the primary: by the data's GTID (default), or by its binary
   * log file:position, which only means something when the data was taken from the primary itself.
   */
  public enum Position {
    GTID,
    BINLOG;

    public String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }

    /**
     * {@code gtid} (or null) or {@code binlog}.
     *
     * @throws DbJobsException USAGE for anything else
     */
    public static Position parse(String text) {
      if (text == null || text.equals("gtid")) {
        return GTID;
      }
      if (text.equals("binlog")) {
        return BINLOG;
      }
      throw new DbJobsException(
          ErrorCode.USAGE,
          "--position must be gtid or binlog, not '"
              + text.replaceAll("[^\\x20-\\x7e]", "?")
              + "'");
    }
  }

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
  private final Duration poll;

  public Reseed(ManagerConfig config, NodeConnections connections, Sources sources) {
    this(config, connections, sources, JobWatcher.DEFAULT_POLL);
  }

  Reseed(ManagerConfig config, NodeConnections connections, Sources sources, Duration poll) {
    this.config = config;
    this.connections = connections;
    this.sources = sources;
    this.poll = poll;
  }

  public Outcome run(Request r, Listener listener) throws InterruptedException {
    NodeConfig joinerConfig = config.node(r.node());
    Topology topology = Topology.read(connections, config.cluster(joinerConfig.cluster()));
    Steps.mark("topology read");
    Topology.NodeView joiner = topology.node(joinerConfig.name());
    Topology.NodeView primary = preflight(r, topology, joiner);
    if (r.position() == Position.BINLOG && r.binlogAt() == null) {
      checkFromPrimary(r, primary);
    }
    ReseedSource source = sources.choose(r, topology, joiner, primary);
    Steps.mark("preflight passed, source chosen");
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
    params.put(TaskStreamParams.POSITION, r.position().label());
    if (r.binlogAt() != null) {
      params.put(TaskStreamParams.BINLOG_POSITION, r.binlogAt());
    }
    io.dbjobs.common.job.ReplicationTls tls =
        config.cluster(joinerConfig.cluster()).replicationTls();
    if (tls != null) {
      tls.toParams(params);
    }
    Task task = r.flashback() ? Task.FLASHBACK : r.method().joinerTask();
    if (r.flashback()) {
      params.put(TaskStreamParams.FORMAT, r.method().physical() ? "physical" : "logical");
    }
    ManagerJobs joinerJobs = connections.jobs(joinerConfig);
    String key = "reseed-" + UUID.randomUUID();
    JobRef ref = new JobRef(joinerConfig.name(), key, task);
    String senderIdentity =
        source.senderIdentity() != null
            ? source.senderIdentity()
            : config.receiver().advertiseHost();
    Job queued =
        joinerJobs
            .enqueue(
                new NewJob(
                    task,
                    task.validate(params),
                    key,
                    "",
                    0,
                    senderIdentity,
                    secret,
                    r.submittedBy()))
            .job();
    Steps.mark("job submitted");
    listener.note("job " + queued.id() + " queued on " + joiner.name() + " (" + task + ")");
    listener.enqueued(new JobView(joiner.name(), queued));

    Pacer pacer = new Pacer();
    JobWatcher watcher =
        new JobWatcher(
            new TableSource(joinerJobs), "dbjobs manager (reseed)", pacer, poll, e -> {});
    Job listening = awaitListening(watcher, ref, joinerJobs, listener);
    Steps.mark("joiner listening");
    listener.progress(new JobView(joiner.name(), listening));
    StreamTarget target =
        new StreamTarget(
            joinerConfig.database().host(),
            joinerConfig.streamPort(),
            streamId,
            secret,
            PeerIdentity.of(joinerConfig.name(), joinerConfig.database().host()));
    AtomicReference<Throwable> sendFailure = new AtomicReference<>();
    Thread sender =
        new Thread(
            () -> {
              try {
                source.send(target);
                Steps.mark("source sent");
              } catch (Throwable t) {
                sendFailure.set(t);
                LOG.warn(
                    "sending {} to {} failed: {}",
                    source.describe(),
                    joiner.name(),
                    DbJobsException.describe(t));
                // the joiner waits for a stream that will not come: free its slot now
                cancel(joinerJobs, ref, "its source failed: " + DbJobsException.describe(t));
                pacer.wake();
              }
            },
            "reseed-source-" + joiner.name());
    sender.start();
    Job last;
    try {
      last =
          watcher.awaitEnd(
              ref, JOB_TIMEOUT, row -> listener.progress(new JobView(joiner.name(), row)));
    } catch (InterruptedException | RuntimeException e) {
      boolean interrupted = Thread.interrupted();
      sender.interrupt();
      cancel(joinerJobs, ref, "the reseed command ended: " + DbJobsException.describe(e));
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
      throw e;
    }
    if (sender.isAlive()) {
      // the joiner's job is over: whatever the source still does is for nothing
      sender.interrupt();
    }
    sender.join(SENDER_STOP.toMillis());
    if (sender.isAlive()) {
      LOG.warn(
          "the source of the reseed of {} ({}) did not stop within {} of the joiner's end",
          joiner.name(),
          source.describe(),
          Durations.human(SENDER_STOP));
    }
    Throwable f = sendFailure.get();
    return new Outcome(
        new JobView(joiner.name(), last),
        source.describe(),
        f == null ? null : DbJobsException.describe(f));
  }

  /** Asks the joiner's agent to end its job; a failure to ask is logged with what to do. */
  private static void cancel(ManagerJobs jobs, JobRef ref, String why) {
    try {
      ManagerJobs.CancelResult c = jobs.cancel(ref, "dbjobs manager (" + why + ")");
      LOG.info("cancel of {}: {}", ref, c);
    } catch (DbJobsException e) {
      LOG.warn(
          "could not cancel {} ({}): {}; cancel it with dbjobs cancel --node {} <id>",
          ref,
          why,
          e.getMessage(),
          ref.node());
    }
  }

  /** Refuses a reseed that is unsafe or cannot work, saying why and what to do instead. */
  /**
   * A binary log file:position names a place in one server's binary logs: positioning by it is
   * right only for data copied from the primary itself.
   *
   * @throws DbJobsException PREFLIGHT_REFUSED for any other source
   */
  void checkFromPrimary(Request r, Topology.NodeView primary) {
    boolean fromPrimary =
        !r.flashback()
            && (r.method() == ReseedMethod.LOGICALMASTER
                || (r.method() == ReseedMethod.PHYSICALDONOR
                    && r.donor() != null
                    && config.node(r.donor()).name().equals(primary.name())));
    if (!fromPrimary) {
      throw new DbJobsException(
          ErrorCode.PREFLIGHT_REFUSED,
          "--position binlog positions "
              + r.node()
              + " by the data's binary log file:position, which is a place in the primary's"
              + " binary logs only when the data comes from the primary "
              + primary.name()
              + ": use --method logicalmaster, or --method physicaldonor --donor "
              + primary.name()
              + " (a replica's or a backup's own coordinates are refused); nothing was changed");
    }
  }

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

  /**
   * Refuses while the node has a destructive job that is not over. Only jobs this manager sealed
   * for the node count: a row someone else wrote (a forged "running" reseed with a lease in 2099)
   * must not hold off every reseed, nor can it be cancelled, since no agent runs it.
   */
  private void checkNoDestructiveJob(Topology.NodeView joiner) {
    String node = joiner.name();
    JobVerifier sealedHere =
        new JobVerifier(node, () -> connections.keys().ring(node), Clock.systemUTC());
    List<Job> busy =
        connections.jobs(joiner.node()).list(JobQuery.latest(200)).stream()
            .filter(j -> !j.state().isFinal() && DESTRUCTIVE.contains(j.task()))
            .filter(
                j -> {
                  if (sealedHere.madeFor(SealedFields.of(j), j.seal().seal())) {
                    return true;
                  }
                  LOG.warn(
                      "ignoring job {} ({}, {}) on {}: this manager did not seal it for {}, no"
                          + " agent runs it (a row written by someone else)",
                      j.id(),
                      j.task(),
                      j.state().label(),
                      node,
                      node);
                  return false;
                })
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

  private static Job awaitListening(
      JobWatcher watcher, JobRef ref, ManagerJobs jobs, Listener listener)
      throws InterruptedException {
    try {
      return watcher.await(
          ref,
          LISTEN_TIMEOUT,
          new JobWatcher.Step<Job>() {
            @Override
            public Job onRow(Job j) {
              listener.progress(new JobView(ref.node(), j));
              if (j.state() == JobState.WAITING_FOR_STREAM) {
                return j;
              }
              if (j.state().isFinal()) {
                ErrorCode code = ErrorCode.fromRow(j.errorCode());
                throw new DbJobsException(
                    code == null ? ErrorCode.RESTORE_FAILED : code,
                    "the joiner's job "
                        + j.id()
                        + " on "
                        + ref.node()
                        + " ended "
                        + j.state().label()
                        + " before its stream started: "
                        + j.result());
              }
              return null;
            }

            @Override
            public void note(String message) {
              listener.note(message);
            }
          });
    } catch (DbJobsException e) {
      if (e.code() != ErrorCode.TIMEOUT) {
        throw e;
      }
      cancel(jobs, ref, "its agent did not open the stream listener in time");
      throw new DbJobsException(
          ErrorCode.TIMEOUT,
          "the agent of "
              + ref.node()
              + " did not open its stream listener within "
              + Durations.human(LISTEN_TIMEOUT)
              + " ("
              + e.getMessage()
              + "); is dbjobs-agent running there? The job was cancelled.",
          e);
    }
  }
}
