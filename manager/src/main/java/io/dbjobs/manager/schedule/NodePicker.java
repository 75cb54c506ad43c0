package io.dbjobs.manager.schedule;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.db.SqlErrors;
import io.dbjobs.common.job.Job;
import io.dbjobs.common.job.JobState;
import io.dbjobs.common.job.Task;
import io.dbjobs.common.jobs.JobQuery;
import io.dbjobs.common.jobs.ManagerJobs;
import io.dbjobs.manager.config.ManagerConfig;
import io.dbjobs.manager.config.NodeConfig;
import io.dbjobs.manager.config.ScheduleConfig;
import io.dbjobs.manager.fleet.NodeConnections;
import io.dbjobs.manager.state.OperatorStates;
import io.dbjobs.manager.state.Shun;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Chooses the node a schedule's run goes to: the named node, the primary (the one node that
 * replicates from nobody and is not read_only), or a replica whose IO and SQL threads run, least
 * lag first. A node under a destructive job (reseed, flashback, stop, restart; queued, running,
 * waiting for its stream or being post-processed) or a shunned node is passed over, and the reason
 * is given.
 */
final class NodePicker {
  private static final List<JobState> BUSY =
      List.of(JobState.QUEUED, JobState.RUNNING, JobState.WAITING_FOR_STREAM, JobState.FINISHED);
  private static final int BUSY_SCAN = 500;

  /**
   * The outcome: a node, or none with why.
   *
   * @param reason a metrics label when no node: {@code destructive-job}, {@code node-unreachable},
   *     {@code no-node}, {@code shunned}
   * @param passedOver nodes considered and left out, with why (for the log)
   */
  record Choice(NodeConfig node, String reason, String why, List<String> passedOver) {
    static Choice none(String reason, String why, List<String> passedOver) {
      return new Choice(null, reason, why, passedOver);
    }
  }

  /** What one node looks like now. */
  record Probe(
      NodeConfig node,
      boolean up,
      boolean replica,
      boolean replicating,
      Long lagSeconds,
      boolean readOnly,
      String problem) {}

  private final ManagerConfig config;
  private final NodeConnections connections;

  NodePicker(ManagerConfig config, NodeConnections connections) {
    this.config = config;
    this.connections = connections;
  }

  Choice pick(ScheduleConfig s) {
    List<String> passed = new ArrayList<>();
    java.util.Map<String, Shun> shunned = OperatorStates.of(config).shuns();
    Choice c;
    if (s.node().equals(ScheduleConfig.REPLICA)) {
      c = replica(s, passed, shunned);
    } else if (s.node().equals(ScheduleConfig.PRIMARY)) {
      c = primary(s, passed);
    } else {
      c = named(s, passed);
    }
    if (c.node() != null && shunned.containsKey(c.node().name())) {
      Shun sh = shunned.get(c.node().name());
      String why =
          c.node().name()
              + " is shunned (by "
              + sh.by()
              + (sh.reason().isEmpty() ? "" : ": " + sh.reason())
              + ")";
      passed.add(why);
      return Choice.none("shunned", why, passed);
    }
    return c;
  }

  private Choice named(ScheduleConfig s, List<String> passed) {
    NodeConfig n = config.node(s.node());
    Probe p = probe(n);
    if (!p.up()) {
      return Choice.none("node-unreachable", n.name() + " is unreachable: " + p.problem(), passed);
    }
    return notBusy(n, passed);
  }

  private Choice replica(
      ScheduleConfig s, List<String> passed, java.util.Map<String, Shun> shunned) {
    List<Probe> healthy = new ArrayList<>();
    for (NodeConfig n : config.cluster(s.cluster()).nodes()) {
      if (shunned.containsKey(n.name())) {
        passed.add(n.name() + ": shunned");
        continue;
      }
      Probe p = probe(n);
      if (!p.up()) {
        passed.add(n.name() + ": unreachable (" + p.problem() + ")");
      } else if (!p.replica()) {
        passed.add(n.name() + ": not a replica");
      } else if (!p.replicating() || p.lagSeconds() == null) {
        passed.add(n.name() + ": replication is not running (" + p.problem() + ")");
      } else {
        healthy.add(p);
      }
    }
    healthy.sort(Comparator.comparingLong(Probe::lagSeconds)); // stable: config order on ties
    for (Probe p : healthy) {
      Choice c = notBusy(p.node(), passed);
      if (c.node() != null) {
        return c;
      }
    }
    boolean destructive = passed.stream().anyMatch(l -> l.contains("destructive"));
    return Choice.none(
        destructive ? "destructive-job" : "no-node",
        "no healthy replica in cluster " + s.cluster() + " is free",
        passed);
  }

  private Choice primary(ScheduleConfig s, List<String> passed) {
    List<NodeConfig> primaries = new ArrayList<>();
    for (NodeConfig n : config.cluster(s.cluster()).nodes()) {
      Probe p = probe(n);
      if (!p.up()) {
        passed.add(n.name() + ": unreachable (" + p.problem() + ")");
      } else if (p.replica() || p.readOnly()) {
        passed.add(n.name() + ": " + (p.replica() ? "a replica" : "read_only"));
      } else {
        primaries.add(n);
      }
    }
    if (primaries.size() != 1) {
      return Choice.none(
          "no-node",
          primaries.isEmpty()
              ? "no reachable primary in cluster " + s.cluster()
              : "cluster "
                  + s.cluster()
                  + " has "
                  + primaries.size()
                  + " writable nodes that replicate from nobody ("
                  + primaries.stream().map(NodeConfig::name).toList()
                  + "); name the node in the schedule",
          passed);
    }
    return notBusy(primaries.get(0), passed);
  }

  private Choice notBusy(NodeConfig n, List<String> passed) {
    Optional<Job> busy;
    try {
      busy = destructiveJob(n);
    } catch (DbJobsException e) {
      passed.add(n.name() + ": its jobs cannot be read (" + e.getMessage() + ")");
      return Choice.none("node-unreachable", n.name() + "'s jobs cannot be read", passed);
    }
    if (busy.isPresent()) {
      Job j = busy.get();
      String why =
          n.name()
              + " is under a destructive job: job "
              + j.id()
              + " ("
              + j.task()
              + ", "
              + j.state().label()
              + ")";
      passed.add(why);
      return Choice.none("destructive-job", why, passed);
    }
    return new Choice(n, null, null, passed);
  }

  /** A destructive job on the node that has not ended, if any. */
  Optional<Job> destructiveJob(NodeConfig n) {
    ManagerJobs dao = connections.jobs(n);
    for (JobState st : BUSY) {
      for (Job j : dao.list(new JobQuery(st, null, null, BUSY_SCAN))) {
        if (j.knownTask().map(Task::isDestructive).orElse(false)) {
          return Optional.of(j);
        }
      }
    }
    return Optional.empty();
  }

  Probe probe(NodeConfig n) {
    try (Connection c = connections.pool(n).getConnection();
        Statement s = c.createStatement()) {
      boolean readOnly;
      try (ResultSet rs = s.executeQuery("SELECT @@read_only")) {
        rs.next();
        readOnly = rs.getInt(1) != 0;
      }
      try (ResultSet rs = replicaStatus(s)) {
        if (!rs.next()) {
          return new Probe(n, true, false, false, null, readOnly, null);
        }
        String io = column(rs, "Slave_IO_Running", "Replica_IO_Running");
        String sql = column(rs, "Slave_SQL_Running", "Replica_SQL_Running");
        String lag = column(rs, "Seconds_Behind_Master", "Seconds_Behind_Source");
        boolean running = "Yes".equalsIgnoreCase(io) && "Yes".equalsIgnoreCase(sql);
        return new Probe(
            n,
            true,
            true,
            running,
            lag == null ? null : Long.parseLong(lag),
            readOnly,
            "io=" + io + " sql=" + sql + " lag=" + (lag == null ? "?" : lag + "s"));
      }
    } catch (SQLException | RuntimeException e) {
      String why = e instanceof DbJobsException d ? d.getMessage() : SqlErrors.message(e);
      return new Probe(n, false, false, false, null, false, why);
    }
  }

  /** SHOW REPLICA STATUS (MariaDB 10.5+, MySQL 8.0.22+), else SHOW SLAVE STATUS. */
  private static ResultSet replicaStatus(Statement s) throws SQLException {
    try {
      return s.executeQuery("SHOW REPLICA STATUS");
    } catch (SQLException e) {
      if (SqlErrors.isConnectionLoss(e)) {
        throw e;
      }
      return s.executeQuery("SHOW SLAVE STATUS");
    }
  }

  private static String column(ResultSet rs, String... names) throws SQLException {
    ResultSetMetaData md = rs.getMetaData();
    for (String name : names) {
      for (int i = 1; i <= md.getColumnCount(); i++) {
        if (md.getColumnLabel(i).equalsIgnoreCase(name)) {
          return rs.getString(i);
        }
      }
    }
    return null;
  }
}
