package io.dbjobs.agent.task.recover;

import io.dbjobs.agent.task.JobContext;
import io.dbjobs.agent.task.TaskHandler;
import io.dbjobs.agent.task.reseed.Replication;
import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.config.Secret;
import io.dbjobs.common.db.SqlErrors;
import io.dbjobs.common.health.Finding;
import io.dbjobs.common.health.MariaDbGtids;
import io.dbjobs.common.health.NodeFacts;
import io.dbjobs.common.health.NodeFactsReader;
import io.dbjobs.common.health.ReplicaAssessment;
import io.dbjobs.common.health.ReplicaAssessment.Assessment;
import io.dbjobs.common.health.ReplicaChannel;
import io.dbjobs.common.health.Verdict;
import io.dbjobs.common.job.JobOutcome;
import io.dbjobs.common.job.Task;
import io.dbjobs.common.job.params.RecoverParams;
import io.dbjobs.common.net.HostPort;
import io.dbjobs.common.sql.PinnedLiterals;
import io.dbjobs.common.time.Durations;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code recover}: repairs a replica's replication without touching its data. It first diagnoses
 * the node again, against the primary named in the job (read as the replication user), with the
 * same logic the manager uses ({@link ReplicaAssessment}); when a recovery cannot be correct
 * (transactions the primary never had, binary logs the primary no longer has, an SQL error from
 * diverged rows) it changes nothing and fails with PREFLIGHT_REFUSED, saying which reseed to run.
 * Nothing is ever skipped. Otherwise it restores {@code read_only}, points the connection at the
 * primary by GTID keeping the node's position (MariaDB: {@code MASTER_USE_GTID=slave_pos}, the
 * slave position first set to the node's own {@code gtid_current_pos} when a former primary's
 * transactions are only in its binary log), starts every connection, and succeeds only when all of
 * them run and the node has applied the primary's position of that moment.
 */
public final class RecoverHandler implements TaskHandler {
  /**
   * A host name or IP address (IPv6 in brackets): nothing that could reach a JDBC URL's options.
   */
  @Override
  public Task task() {
    return Task.RECOVER;
  }

  @Override
  public JobOutcome run(JobContext ctx) throws Exception {
    RecoverParams params = ctx.params(RecoverParams.class);
    HostPort endpoint = HostPort.parse(params.primary());
    String host = endpoint.host();
    int port = endpoint.port();
    String connection = connectionName(params.connection());
    Duration timeout =
        params.catchUpTimeout() == null
            ? ctx.config().reseed().catchUpTimeout()
            : params.catchUpTimeout();
    Replication.Source source = source(ctx, endpoint);
    PrimaryLink primary = new PrimaryLink(source, ctx.config().connectTimeout());

    ctx.phase("diagnosing");
    // this node first, then the primary: what the node applied meanwhile is in the primary's read
    NodeFacts node = own(ctx);
    Replication r = Replication.forServer(node.version(), node.flavor().wireName());
    NodeFacts p = primary.facts();
    if (p.serverId() == node.serverId()) {
      return refused(
          ctx,
          "the primary named, "
              + primary.describe()
              + ", is this node itself (server_id "
              + node.serverId()
              + ")",
          "");
    }
    Assessment before = assess(node, p, connection, host, port);
    if (before.verdict() == Verdict.NEEDS_RESEED) {
      return refused(ctx, blockers(before), "");
    }
    ctx.checkStopping();
    List<String> done = new ArrayList<>();
    NodeFacts current = node;
    Assessment refusedAfterReadOnly =
        ctx.critical(
            "recovering replication",
            () -> {
              try (Connection c = ctx.database().getConnection();
                  PinnedLiterals q = PinnedLiterals.pin(c);
                  Statement s = c.createStatement()) {
                NodeFacts n = current;
                if (!n.readOnly()) {
                  ctx.phase("restoring read_only");
                  step(s, "SET GLOBAL read_only = 1", "restore read_only");
                  // a write may have landed between the diagnosis and read_only: look again,
                  // this node first, then the primary (what it applied meanwhile is there)
                  n = NodeFactsReader.read(c, NodeFactsReader.Part.CHANNELS);
                  Assessment again = assess(n, primary.facts(), connection, host, port);
                  if (again.verdict() == Verdict.NEEDS_RESEED) {
                    step(s, "SET GLOBAL read_only = 0", "put read_only back");
                    return again;
                  }
                  done.add("read_only restored");
                }
                ctx.phase("re-pointing " + ReplicaChannel.describe(connection));
                if (n.mariadb() && differs(n.gtidSlavePos(), n.gtidCurrentPos())) {
                  step(s, r.stopAll(), "stop replication");
                  step(
                      s,
                      "SET GLOBAL gtid_slave_pos = " + q.quote(n.gtidCurrentPos()),
                      "set gtid_slave_pos");
                  done.add(
                      "gtid_slave_pos set from "
                          + (n.gtidSlavePos().isEmpty() ? "(empty)" : n.gtidSlavePos())
                          + " to the node's own position "
                          + n.gtidCurrentPos());
                }
                List<String> statements = r.repoint(connection, source, q);
                String[] what = {"stop the connection", "change its source", "start it"};
                for (int i = 0; i < statements.size(); i++) {
                  step(s, statements.get(i), what[Math.min(i, what.length - 1)]);
                }
                done.add(
                    ReplicaChannel.describe(connection)
                        + " replicates from "
                        + primary.describe()
                        + " by GTID");
                for (ReplicaChannel ch : n.channels()) {
                  if (!ch.name().equals(connection) && !ch.running()) {
                    step(s, r.startConnection(ch.name(), q), "start " + ch.describe());
                    done.add(ch.describe() + " started");
                  }
                }
                return null;
              }
            });
    if (refusedAfterReadOnly != null) {
      return refused(
          ctx, blockers(refusedAfterReadOnly), " (read_only was set back to OFF, as it was)");
    }
    String target = primary.position(r);
    ctx.phase("catching up to " + target);
    Duration took = CatchUp.await(ctx, r, connection, target, timeout);
    return JobOutcome.succeeded(
        ctx.config().node()
            + " recovered from "
            + before.diagnosis().label()
            + (before.findings().isEmpty() ? "" : " (" + before.summary() + ")")
            + ": "
            + String.join("; ", done)
            + "; every connection runs and it applied the primary's "
            + target
            + " in "
            + Durations.human(took));
  }

  private static NodeFacts own(JobContext ctx) {
    try (Connection c = ctx.database().getConnection()) {
      return NodeFactsReader.read(c, NodeFactsReader.Part.CHANNELS);
    } catch (SQLException e) {
      throw new DbJobsException(
          SqlErrors.classify(e),
          "cannot read this node's replication state: "
              + SqlErrors.message(e)
              + " (the agent needs SLAVE MONITOR, see sql/grants.sql)",
          e);
    }
  }

  private static Assessment assess(
      NodeFacts node, NodeFacts primary, String connection, String host, int port) {
    String name = host + ":" + port;
    return ReplicaAssessment.replica(
        node,
        new ReplicaAssessment.Context(
            name,
            primary,
            connection,
            ReplicaAssessment.sourcesFor(node, connection, name, host, port, primary.serverId()),
            // lag is not this task's business: it waits for the catch-up itself
            Duration.ofDays(36500)));
  }

  private static String blockers(Assessment a) {
    return String.join("; ", a.blockers().stream().map(Finding::toString).toList());
  }

  private static JobOutcome refused(JobContext ctx, String why, String note) {
    String node = ctx.config().node();
    return JobOutcome.failed(
        ErrorCode.PREFLIGHT_REFUSED,
        "recover refused, nothing was changed"
            + note
            + ": "
            + why
            + ". A recovery cannot be correct here and nothing is skipped; rebuild the node: dbjobs"
            + " reseed --node "
            + node
            + " --method physicaldonor (or logicalmaster), or dbjobs recover --node "
            + node
            + " --reseed-if-needed");
  }

  private static void step(Statement s, String sql, String what) throws SQLException {
    try {
      s.execute(sql);
    } catch (SQLException e) {
      // the statement may hold the replication password: only its purpose is named
      throw new DbJobsException(
          SqlErrors.isAccessDenied(e) ? ErrorCode.PERMISSION_DENIED : ErrorCode.REPLICATION_FAILED,
          "recover could not "
              + what
              + ": "
              + SqlErrors.message(e)
              + (SqlErrors.isAccessDenied(e)
                  ? " (the agent needs REPLICATION SLAVE ADMIN and READ_ONLY ADMIN, see"
                      + " sql/grants.sql)"
                  : ""),
          e);
    }
  }

  /** True when two MariaDB positions differ in some domain. */
  static boolean differs(String a, String b) {
    return !MariaDbGtids.seqByDomain(a).equals(MariaDbGtids.seqByDomain(b));
  }

  static String connectionName(String given) {
    if (given == null) {
      return "";
    }
    if (!RecoverParams.CONNECTION_NAME.matcher(given).matches()) {
      throw new DbJobsException(
          ErrorCode.BAD_PARAMETER,
          "task recover: parameter 'connection'='"
              + given
              + "' is not a connection name (letters, digits, '_', '-', '.', at most 64)");
    }
    return given;
  }

  private static Replication.Source source(JobContext ctx, HostPort address) {
    Secret pw = ctx.config().reseed().replicationPassword();
    if (pw == null) {
      throw new DbJobsException(
          ErrorCode.CONFIG_INVALID,
          "reseed.replicationPassword is not set in the agent's config; recover needs it to"
              + " replicate as "
              + ctx.config().reseed().replicationUser());
    }
    return new Replication.Source(
        address,
        ctx.config().reseed().replicationUser(),
        pw,
        io.dbjobs.common.job.ReplicationTls.fromParams(ctx::param));
  }
}
