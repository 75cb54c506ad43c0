package io.dbjobs.manager.fleet;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.agentapi.AgentApi;
import io.dbjobs.common.db.SqlErrors;
import io.dbjobs.common.job.Job;
import io.dbjobs.common.job.JobRef;
import io.dbjobs.common.job.JobState;
import io.dbjobs.common.job.NewJob;
import io.dbjobs.common.job.Task;
import io.dbjobs.common.jobs.JobQuery;
import io.dbjobs.common.jobs.ManagerJobs;
import io.dbjobs.manager.config.ManagerConfig;
import io.dbjobs.manager.config.NodeConfig;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;

/** The fleet verbs done directly against the nodes' jobs tables, in parallel across nodes. */
public final class DirectFleet implements Fleet {
  private static final int PARALLEL = 16;

  private final ManagerConfig config;
  private final NodeConnections connections;
  private final ExecutorService pool;
  private final AgentClient agents;

  public DirectFleet(ManagerConfig config) {
    this.config = config;
    this.connections = new NodeConnections(config);
    this.agents = new AgentClient(config.connectTimeout());
    this.pool =
        Executors.newFixedThreadPool(
            Math.min(PARALLEL, Math.max(1, config.nodes().size())),
            r -> {
              Thread t = new Thread(r, "fleet");
              t.setDaemon(true);
              return t;
            });
  }

  public NodeConnections connections() {
    return connections;
  }

  @Override
  public List<NodeStatus> nodes() {
    return forEachNode(config.nodes(), this::status);
  }

  private NodeStatus status(NodeConfig n) {
    String address = n.database().host() + ":" + n.database().port();
    try {
      ManagerJobs.Counts counts = connections.jobs(n).counts();
      try (Connection c = connections.pool(n).getConnection();
          Statement s = c.createStatement()) {
        String version;
        boolean readOnly;
        try (ResultSet rs = s.executeQuery("SELECT @@version, @@read_only")) {
          rs.next();
          version = rs.getString(1);
          readOnly = rs.getInt(2) != 0;
        }
        String gtid = gtidPosition(s);
        String role = "primary";
        String replication = "";
        try (ResultSet rs = s.executeQuery("SHOW SLAVE STATUS")) {
          if (rs.next()) {
            role = "replica";
            String lag = rs.getString("Seconds_Behind_Master");
            replication =
                "io="
                    + rs.getString("Slave_IO_Running")
                    + " sql="
                    + rs.getString("Slave_SQL_Running")
                    + " lag="
                    + (lag == null ? "?" : lag + "s")
                    + " from="
                    + rs.getString("Master_Host")
                    + ":"
                    + rs.getString("Master_Port");
          }
        }
        return new NodeStatus(
            n.cluster(),
            n.name(),
            address,
            true,
            version,
            role,
            readOnly,
            replication,
            gtid,
            counts.queued(),
            counts.active(),
            null);
      }
    } catch (SQLException | DbJobsException e) {
      String why = e instanceof DbJobsException d ? d.getMessage() : SqlErrors.message(e);
      return new NodeStatus(
          n.cluster(), n.name(), address, false, null, null, false, null, null, 0, 0, why);
    }
  }

  private static String gtidPosition(Statement s) {
    for (String q : List.of("SELECT @@gtid_current_pos", "SELECT @@global.gtid_executed")) {
      try (ResultSet rs = s.executeQuery(q)) {
        rs.next();
        return rs.getString(1);
      } catch (SQLException e) {
        // not this flavor's variable (MariaDB vs MySQL): try the other one
      }
    }
    return null;
  }

  @Override
  public JobList jobs(String node, JobState state, String task, int limit) {
    List<NodeConfig> nodes = node == null ? config.nodes() : List.of(config.node(node));
    Map<String, String> unreachable = new java.util.concurrent.ConcurrentSkipListMap<>();
    List<List<JobView>> perNode =
        forEachNode(
            nodes,
            n -> {
              try {
                return connections.jobs(n).list(new JobQuery(state, task, null, limit)).stream()
                    .map(j -> new JobView(n.name(), j))
                    .toList();
              } catch (DbJobsException e) {
                if (node != null) {
                  throw e;
                }
                unreachable.put(n.name(), e.getMessage());
                return List.<JobView>of();
              }
            });
    List<JobView> all = new ArrayList<>();
    perNode.forEach(all::addAll);
    all.sort(Comparator.comparing((JobView v) -> v.job().created()).reversed());
    return new JobList(all.size() > limit ? all.subList(0, limit) : all, unreachable);
  }

  @Override
  public JobView job(String node, long id) {
    NodeConfig n = config.node(node);
    Job j =
        connections
            .jobs(n)
            .findById(id)
            .orElseThrow(
                () ->
                    new DbJobsException(
                        ErrorCode.NOT_FOUND, "no job " + id + " on " + n.describe()));
    return new JobView(n.name(), j);
  }

  @Override
  public JobView job(JobRef ref) {
    NodeConfig n = config.node(ref.node());
    try {
      Optional<Job> j = connections.jobs(n).find(ref);
      if (j.isPresent()) {
        return new JobView(n.name(), j.get());
      }
    } catch (DbJobsException e) {
      if (!SqlErrors.isConnectionLoss(e) || agentToken(n) == null) {
        throw e;
      }
    }
    if (agentToken(n) != null) {
      Optional<AgentApi.JobStatus> s = agents.byKey(n, agentToken(n), ref.idempotencyKey());
      if (s.isPresent() && s.get().task().equals(ref.task().wireName())) {
        return new JobView(n.name(), fromAgent(s.get()), true);
      }
    }
    throw new DbJobsException(ErrorCode.NOT_FOUND, "no " + ref + " (" + n.describe() + ")");
  }

  /**
   * Enqueues into the node's table. When the node's database does not answer and the task is {@code
   * start}, the job goes to the node's agent instead, which runs it at once. Tasks that stream are
   * refused: only the verbs that set up their stream (backup, reseed, logs collect) mint the secret
   * such a job needs.
   */
  @Override
  public Submitted submit(SubmitRequest r) {
    NodeConfig n = config.node(r.node());
    if (!r.task().submittable()) {
      throw new DbJobsException(
          ErrorCode.USAGE,
          "task "
              + r.task()
              + " cannot be submitted as a plain job: it needs a stream whose secret only its own"
              + " command sets up ("
              + r.task().command()
              + "); plain jobs are: "
              + Task.submittableNames());
    }
    Map<String, String> params = r.task().validate(r.params());
    NewJob job = NewJob.of(r.task(), params, r.idempotencyKey(), r.submittedBy());
    ManagerJobs dao;
    try {
      dao = connections.jobs(n);
      ManagerJobs.Enqueued ins = dao.enqueue(job);
      return new Submitted(new JobView(n.name(), ins.job()), ins.created());
    } catch (DbJobsException e) {
      if (r.task() != Task.START || !SqlErrors.isConnectionLoss(e)) {
        throw e;
      }
      if (agentToken(n) == null) {
        throw new DbJobsException(
            ErrorCode.NODE_UNREACHABLE,
            e.getMessage()
                + "; a start for a node whose database is down goes through its agent: set"
                + " agentToken for cluster "
                + n.cluster()
                + " in "
                + config.source(),
            e);
      }
      String seal =
          connections
              .keys()
              .sealer(n.name())
              .sealWithoutRow(job.idempotencyKey(), job.task().wireName(), params);
      AgentApi.JobStatus s =
          agents.submit(
              n,
              agentToken(n),
              new AgentApi.SubmitBody(
                  r.task().wireName(), params, r.idempotencyKey(), r.submittedBy(), seal));
      return new Submitted(new JobView(n.name(), fromAgent(s)), true);
    }
  }

  private io.dbjobs.common.config.Secret agentToken(NodeConfig n) {
    return config.cluster(n.cluster()).agentToken();
  }

  /** A job as an agent reported it (no row yet when its id is 0). */
  static Job fromAgent(AgentApi.JobStatus s) {
    java.time.Instant started =
        s.startedEpochMillis() == null
            ? null
            : java.time.Instant.ofEpochMilli(s.startedEpochMillis());
    java.time.Instant ended =
        s.endedEpochMillis() == null ? null : java.time.Instant.ofEpochMilli(s.endedEpochMillis());
    return new Job(
        s.id(),
        s.task(),
        JobState.parse(s.state()),
        s.idempotencyKey(),
        "{}",
        "",
        0,
        1,
        null,
        null,
        false,
        s.phase(),
        0,
        null,
        null,
        s.errorCode(),
        s.result(),
        "",
        started == null ? java.time.Instant.now() : started,
        started,
        ended,
        null,
        false,
        null);
  }

  @Override
  public ManagerJobs.CancelResult cancel(String node, long id, String by) {
    return connections.jobs(config.node(node)).cancelById(id, by);
  }

  private <T> List<T> forEachNode(List<NodeConfig> nodes, Function<NodeConfig, T> fn) {
    List<Future<T>> futures = new ArrayList<>();
    for (NodeConfig n : nodes) {
      futures.add(pool.submit(() -> fn.apply(n)));
    }
    List<T> out = new ArrayList<>();
    for (Future<T> f : futures) {
      try {
        out.add(f.get());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new DbJobsException(ErrorCode.INTERNAL, "interrupted while asking the nodes", e);
      } catch (java.util.concurrent.ExecutionException e) {
        throw DbJobsException.from(e.getCause(), "asking the nodes failed");
      }
    }
    return out;
  }

  @Override
  public boolean markLost(String node, String observer) {
    return connections.jobs(config.node(node)).failLostAgents(observer) > 0;
  }

  @Override
  public void close() {
    pool.shutdownNow();
    connections.close();
  }
}
