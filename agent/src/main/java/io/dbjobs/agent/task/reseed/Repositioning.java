package io.dbjobs.agent.task.reseed;

import io.dbjobs.agent.task.JobContext;
import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.config.DatabaseEndpoint;
import io.dbjobs.common.config.Secret;
import io.dbjobs.common.db.DataSources;
import io.dbjobs.common.db.DbTls;
import io.dbjobs.common.db.SqlErrors;
import io.dbjobs.common.net.HostPort;
import io.dbjobs.common.sql.PinnedLiterals;
import io.dbjobs.common.time.Durations;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Properties;

/**
 * After a restore: point this node at the primary from the restored data's position, and wait until
 * both replication threads run and it has applied what the primary had at the time of the check.
 */
final class Repositioning {
  private Repositioning() {}

  /** What the catch-up saw at its end. */
  record CaughtUp(String primaryPosition, Duration took) {}

  /**
   * Where to replicate from: the job's {@code primary} parameter, parsed and checked ({@link
   * HostPort}), with the agent's replication user and password.
   *
   * @throws DbJobsException BAD_PARAMETER for a {@code primary} that is not host:port;
   *     CONFIG_INVALID when the agent has no replication password
   */
  static Replication.Source source(JobContext ctx, String primaryHostPort) {
    HostPort address;
    try {
      address = HostPort.parse(primaryHostPort);
    } catch (DbJobsException e) {
      throw new DbJobsException(
          ErrorCode.BAD_PARAMETER, "parameter 'primary': " + e.getMessage(), e);
    }
    Secret pw = ctx.config().reseed().replicationPassword();
    if (pw == null) {
      throw new DbJobsException(
          ErrorCode.CONFIG_INVALID,
          "reseed.replicationPassword is not set in the agent's config; a reseeded node needs it to"
              + " replicate as "
              + ctx.config().reseed().replicationUser());
    }
    return new Replication.Source(address, ctx.config().reseed().replicationUser(), pw);
  }

  static Replication flavor(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT @@version, @@version_comment")) {
      rs.next();
      return Replication.forServer(rs.getString(1), rs.getString(2));
    }
  }

  /**
   * A flashback's node must apply transactions it originated itself before the failover (they come
   * back from the new primary carrying its own server_id, which replicas skip): until it caught up
   * it runs under this offset from its server_id.
   */
  static final long TEMPORARY_SERVER_ID_OFFSET = 1_000_000_000L;

  /** Runs the repositioning statements (never logged: they hold the password). */
  static Replication reposition(JobContext ctx, Replication.Source source, String gtid) {
    return reposition(ctx, source, gtid, null);
  }

  /**
   * As {@link #reposition(JobContext, Replication.Source, String)}; with {@code temporaryServerId}
   * set, the node replicates under that server_id (see {@link #TEMPORARY_SERVER_ID_OFFSET}).
   */
  static Replication reposition(
      JobContext ctx, Replication.Source source, String gtid, Long temporaryServerId) {
    ctx.phase("repositioning replication");
    try (Connection c = ctx.database().getConnection()) {
      return reposition(c, source, gtid, temporaryServerId);
    } catch (SQLException e) {
      throw new DbJobsException(
          ErrorCode.REPLICATION_FAILED,
          "cannot reposition replication: " + redacted(SqlErrors.message(e), source),
          e);
    }
  }

  /**
   * Repositions on connection {@code c}: disables the events restored enabled, then runs the
   * flavor's statements with their literals quoted under a pinned {@code sql_mode} ({@link
   * PinnedLiterals}), so a password or user with quotes and backslashes arrives as it is whatever
   * the server's mode. Not binary-logged.
   */
  static Replication reposition(
      Connection c, Replication.Source source, String gtid, Long temporaryServerId)
      throws SQLException {
    Replication r = flavor(c);
    try (Statement s = c.createStatement();
        PinnedLiterals literals = PinnedLiterals.pin(c)) {
      // built (and the position checked) before anything on the node changes
      List<String> statements = new java.util.ArrayList<>(r.reposition(source, gtid, literals));
      if (temporaryServerId != null) {
        int startAt = statements.size() - 2; // before the START of replication
        statements.add(startAt, "SET GLOBAL server_id = " + temporaryServerId);
      }
      s.execute("SET SESSION sql_log_bin=0");
      // events restored enabled (from a dump, or a primary's datadir) would run here too
      List<String[]> enabled = new java.util.ArrayList<>();
      try (ResultSet rs =
          s.executeQuery(
              "SELECT EVENT_SCHEMA, EVENT_NAME FROM information_schema.EVENTS WHERE STATUS='ENABLED'")) {
        while (rs.next()) {
          enabled.add(new String[] {rs.getString(1), rs.getString(2)});
        }
      }
      for (String[] e : enabled) {
        s.execute(r.disableOnReplica(e[0], e[1]));
      }
      for (int i = 0; i < statements.size(); i++) {
        try {
          s.execute(statements.get(i));
        } catch (SQLException e) {
          throw new DbJobsException(
              ErrorCode.REPLICATION_FAILED,
              "repositioning step "
                  + (i + 1)
                  + " of "
                  + statements.size()
                  + " failed: "
                  + redacted(SqlErrors.message(e), source)
                  + " (from "
                  + source.address()
                  + " at GTID "
                  + gtid
                  + ")",
              e);
        }
      }
    }
    return r;
  }

  /**
   * A server message with the replication password kept out: the statement's text can come back in
   * an error ("... near '...'"), quoted in any of several ways, so the text after {@code near} is
   * withheld and the password masked in the rest.
   */
  static String redacted(String message, Replication.Source source) {
    if (message == null) {
      return null;
    }
    String m = message;
    int near = m.indexOf(" near '");
    if (near >= 0) {
      int line = m.indexOf("' at line ", near);
      m =
          m.substring(0, near)
              + " near (statement text withheld)"
              + (line >= 0 ? m.substring(line + 1) : "");
    }
    String pw = source.password().reveal();
    return pw.isEmpty() ? m : m.replace(pw, "****").replace(pw.replace("'", "''"), "****");
  }

  /**
   * Waits until the node has applied the primary's position read now, both threads running.
   *
   * @throws DbJobsException REPLICATION_FAILED when a thread stops with an error, TIMEOUT when it
   *     does not catch up in time
   */
  static CaughtUp awaitCatchUp(
      JobContext ctx, Replication r, Replication.Source source, Duration timeout)
      throws InterruptedException {
    long start = System.nanoTime();
    String target =
        primaryPosition(r, source, ctx.config().database().tls(), ctx.config().connectTimeout());
    ctx.phase("catching up to " + target);
    long deadline = start + timeout.toNanos();
    List<String> cols = r.statusColumns();
    String lastStatus = "";
    while (true) {
      ctx.checkStopping();
      try (Connection c = ctx.database().getConnection();
          Statement s = c.createStatement()) {
        try (ResultSet rs = s.executeQuery(r.statusQuery())) {
          if (!rs.next()) {
            throw new DbJobsException(
                ErrorCode.REPLICATION_FAILED, "replication is not configured after repositioning");
          }
          String io = rs.getString(cols.get(0));
          String sql = rs.getString(cols.get(1));
          String ioError = rs.getString(cols.get(2));
          String sqlError = rs.getString(cols.get(3));
          String lag = rs.getString(cols.get(4));
          lastStatus = "io=" + io + " sql=" + sql + " lag=" + lag + "s";
          if ("No".equals(sql) && sqlError != null && !sqlError.isBlank()) {
            throw new DbJobsException(
                ErrorCode.REPLICATION_FAILED, "the replication SQL thread stopped: " + sqlError);
          }
          if ("No".equals(io) && ioError != null && !ioError.isBlank()) {
            throw new DbJobsException(
                ErrorCode.REPLICATION_FAILED,
                "the replication IO thread cannot read from "
                    + source.address()
                    + ": "
                    + redacted(ioError, source));
          }
          ctx.phase("catching up to " + target + " (" + lastStatus + ")");
          if ("Yes".equals(io) && "Yes".equals(sql)) {
            try (PreparedStatement wait = c.prepareStatement(r.waitForPositionQuery())) {
              wait.setString(1, target);
              wait.setInt(2, 1);
              try (ResultSet w = wait.executeQuery()) {
                if (w.next() && w.getInt(1) == 0) {
                  return new CaughtUp(target, Duration.ofNanos(System.nanoTime() - start));
                }
              }
            }
          }
        }
      } catch (SQLException e) {
        if (!SqlErrors.isConnectionLoss(e)) {
          throw new DbJobsException(
              ErrorCode.REPLICATION_FAILED,
              "checking replication failed: " + SqlErrors.message(e),
              e);
        }
      }
      if (System.nanoTime() > deadline) {
        throw new DbJobsException(
            ErrorCode.TIMEOUT,
            "the node did not catch up with the primary's "
                + target
                + " within "
                + Durations.human(timeout)
                + " ("
                + lastStatus
                + "); it keeps replicating");
      }
      Thread.sleep(500);
    }
  }

  /** This node's server_id. */
  static long serverId(JobContext ctx) {
    try (Connection c = ctx.database().getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT @@server_id")) {
      rs.next();
      return rs.getLong(1);
    } catch (SQLException e) {
      throw new DbJobsException(
          ErrorCode.REPLICATION_FAILED, "cannot read the server_id: " + SqlErrors.message(e), e);
    }
  }

  /** Puts the node's own server_id back (replication stopped around the change). */
  static void restoreServerId(JobContext ctx, Replication r, long serverId) {
    try (Connection c = ctx.database().getConnection();
        Statement s = c.createStatement()) {
      s.execute(r instanceof MariaDbReplication ? "STOP SLAVE" : "STOP REPLICA");
      s.execute("SET GLOBAL server_id = " + serverId);
      s.execute(r instanceof MariaDbReplication ? "START SLAVE" : "START REPLICA");
    } catch (SQLException e) {
      throw new DbJobsException(
          ErrorCode.REPLICATION_FAILED,
          "the node caught up but putting its server_id "
              + serverId
              + " back failed: "
              + SqlErrors.message(e)
              + "; run SET GLOBAL server_id = "
              + serverId
              + " on it",
          e);
    }
  }

  /**
   * Repositions and waits for the catch-up; a flashback replicates under a temporary server_id
   * until it caught up, then gets its own back.
   */
  static CaughtUp repositionAndCatchUp(JobContext ctx, Replication.Source source, String gtid)
      throws InterruptedException {
    boolean flashback =
        ctx.job().knownTask().map(t -> t == io.dbjobs.common.job.Task.FLASHBACK).orElse(false);
    Long own = flashback ? serverId(ctx) : null;
    Replication r =
        reposition(
            ctx,
            source,
            gtid,
            own == null ? null : (own + TEMPORARY_SERVER_ID_OFFSET) % 4294967295L);
    CaughtUp caught = awaitCatchUp(ctx, r, source, ctx.config().reseed().catchUpTimeout());
    if (own != null) {
      restoreServerId(ctx, r, own);
    }
    return caught;
  }

  /**
   * The primary's current GTID position, read with the replication user, over TLS as the agent's
   * {@code database.tls} says.
   */
  static String primaryPosition(
      Replication r, Replication.Source source, DbTls tls, Duration timeout) {
    DatabaseEndpoint ep =
        new DatabaseEndpoint(
            source.host(), source.port(), null, source.user(), source.password(), tls);
    Properties p = new Properties();
    p.setProperty("user", source.user());
    p.setProperty("password", source.password().reveal());
    try (Connection c = DriverManager.getConnection(DataSources.jdbcUrl(ep, timeout), p);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(r.primaryPositionQuery())) {
      rs.next();
      return rs.getString(1);
    } catch (SQLException e) {
      throw new DbJobsException(
          ErrorCode.REPLICATION_FAILED,
          "cannot read the primary's position at "
              + source.address()
              + " as "
              + source.user()
              + ": "
              + SqlErrors.message(e),
          e);
    }
  }
}
