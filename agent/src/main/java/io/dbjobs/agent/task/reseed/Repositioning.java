package io.dbjobs.agent.task.reseed;

import io.dbjobs.agent.task.JobContext;
import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.config.DatabaseEndpoint;
import io.dbjobs.common.config.Secret;
import io.dbjobs.common.db.DataSources;
import io.dbjobs.common.db.DbTls;
import io.dbjobs.common.db.SqlErrors;
import io.dbjobs.common.job.ReplicationTls;
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
    return new Replication.Source(
        address, ctx.config().reseed().replicationUser(), pw, replicationTls(ctx));
  }

  /**
   * The job's replication TLS files ({@link ReplicationTls}), or null for none.
   *
   * @throws DbJobsException BAD_PARAMETER for files that are not plain absolute paths
   */
  static ReplicationTls replicationTls(JobContext ctx) {
    return ReplicationTls.fromParams(ctx::param);
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
    return reposition(ctx, source, gtid, null, List.of());
  }

  /**
   * As {@link #reposition(JobContext, Replication.Source, String)}; with {@code temporaryServerId}
   * set, the node replicates under that server_id (see {@link #TEMPORARY_SERVER_ID_OFFSET}); every
   * connection of {@code channels} is set up again, its password from {@code reseed.channels}.
   */
  static Replication reposition(
      JobContext ctx,
      Replication.Source source,
      String gtid,
      Long temporaryServerId,
      List<ChannelSettings> channels) {
    ctx.phase("repositioning replication");
    List<Replication.Source> channelSources = channelSources(ctx, channels);
    try (Connection c = ctx.database().getConnection()) {
      return reposition(c, source, gtid, temporaryServerId, channels, channelSources);
    } catch (SQLException e) {
      throw new DbJobsException(
          ErrorCode.REPLICATION_FAILED,
          "cannot reposition replication: "
              + redacted(SqlErrors.message(e), source, channelSources),
          e);
    }
  }

  /**
   * Where each of {@code channels} replicates from, with its password from the agent's config.
   *
   * @throws DbJobsException CONFIG_INVALID naming a connection without a password
   */
  static List<Replication.Source> channelSources(JobContext ctx, List<ChannelSettings> channels) {
    List<Replication.Source> out = new java.util.ArrayList<>();
    for (ChannelSettings ch : channels) {
      Secret pw = ctx.config().reseed().channelPassword(ch.name());
      if (pw == null) {
        throw new DbJobsException(
            ErrorCode.CONFIG_INVALID,
            ch.describe()
                + " has no password in the agent's config: set reseed.channels (name: "
                + ch.name()
                + ") or reseed.replicationPassword");
      }
      out.add(new Replication.Source(ch.address(), ch.user(), pw));
    }
    return out;
  }

  static Replication reposition(
      Connection c, Replication.Source source, String gtid, Long temporaryServerId)
      throws SQLException {
    return reposition(c, source, gtid, temporaryServerId, List.of(), List.of());
  }

  /**
   * Repositions on connection {@code c}: disables the events restored enabled, then runs the
   * flavor's statements with their literals quoted under a pinned {@code sql_mode} ({@link
   * PinnedLiterals}), so a password or user with quotes and backslashes arrives as it is whatever
   * the server's mode. Not binary-logged. Each of {@code channels} is set up again with the
   * password of the same index in {@code channelSources}.
   */
  static Replication reposition(
      Connection c,
      Replication.Source source,
      String gtid,
      Long temporaryServerId,
      List<ChannelSettings> channels,
      List<Replication.Source> channelSources)
      throws SQLException {
    Replication r = flavor(c);
    try (Statement s = c.createStatement();
        PinnedLiterals literals = PinnedLiterals.pin(c)) {
      // built (and the position checked) before anything on the node changes
      List<String> changes = new java.util.ArrayList<>();
      for (int i = 0; i < channels.size(); i++) {
        changes.add(
            channels.get(i).changeMaster(channelSources.get(i).password().reveal(), literals));
      }
      List<String> statements =
          new java.util.ArrayList<>(
              isBinlogNote(gtid)
                  ? r.repositionByBinlog(source, fromBinlogNote(gtid), changes, literals)
                  : r.reposition(source, gtid, changes, literals));
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
          int ch = changes.indexOf(statements.get(i));
          throw new DbJobsException(
              ErrorCode.REPLICATION_FAILED,
              "repositioning step "
                  + (i + 1)
                  + " of "
                  + statements.size()
                  + (ch >= 0 ? " (setting up " + channels.get(ch).describe() + " again)" : "")
                  + " failed: "
                  + redacted(SqlErrors.message(e), source, channelSources)
                  + " (from "
                  + source.address()
                  + (isBinlogNote(gtid) ? " at " : " at GTID ")
                  + gtid
                  + ")",
              e);
        }
      }
    }
    return r;
  }

  /**
   * How a restart point by binary log is written in a journal's {@code prepared}/{@code loaded}
   * note: {@code binlog FILE:POS}, then the data's GTID when it has one; any other note is a GTID
   * position.
   */
  static final String BY_BINLOG = "binlog ";

  static String binlogNote(io.dbjobs.common.backup.BackupPosition p) {
    return BY_BINLOG + p.coordinates() + (p.gtid() == null ? "" : " " + p.gtid());
  }

  /**
   * Where a reseed by file:position starts: the operator's {@code binlog-position} when the job has
   * one (checked: {@code mysql-bin.000001:4}-shaped), else the data's own coordinates; the data's
   * GTID is kept either way.
   */
  static io.dbjobs.common.backup.BackupPosition binlogStart(
      JobContext ctx, io.dbjobs.common.backup.BackupPosition ofData) {
    String given = JoinerParams.of(ctx).binlogPosition();
    if (given == null) {
      return ofData;
    }
    io.dbjobs.common.backup.BackupPosition at;
    try {
      at = io.dbjobs.common.backup.BackupPosition.parseCoordinates(given);
    } catch (DbJobsException e) {
      throw new DbJobsException(
          ErrorCode.BAD_PARAMETER, "parameter 'binlog-position': " + e.getMessage(), e);
    }
    return new io.dbjobs.common.backup.BackupPosition(
        ofData.gtid(), at.binlogFile(), at.binlogPos());
  }

  static boolean isBinlogNote(String note) {
    return note != null && note.startsWith(BY_BINLOG);
  }

  /** The position of a {@link #binlogNote}, checked. */
  static io.dbjobs.common.backup.BackupPosition fromBinlogNote(String note) {
    String[] parts = note.substring(BY_BINLOG.length()).split(" ", 2);
    io.dbjobs.common.backup.BackupPosition at =
        io.dbjobs.common.backup.BackupPosition.parseCoordinates(parts[0]);
    return new io.dbjobs.common.backup.BackupPosition(
        parts.length > 1 ? parts[1] : null, at.binlogFile(), at.binlogPos());
  }

  /**
   * Preflight of a repositioning by file:position: the primary must still have that binary log, and
   * the offset must be within it ({@code SHOW BINARY LOGS} as the replication user, which needs
   * {@code REPLICATION CLIENT}).
   *
   * @throws DbJobsException PREFLIGHT_REFUSED saying what the primary has instead
   */
  static void checkPrimaryHasBinlog(
      JobContext ctx, Replication.Source source, io.dbjobs.common.backup.BackupPosition at) {
    String coordinates = at.coordinates();
    if (coordinates == null) {
      throw new DbJobsException(
          ErrorCode.RESTORE_FAILED,
          "the data carries no binary log file:position, so it cannot be positioned by one (take"
              + " it from the primary, or use --position gtid)");
    }
    List<String> files = new java.util.ArrayList<>();
    Long size = null;
    try (Connection c = connectTo(source, ctx);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SHOW BINARY LOGS")) {
      while (rs.next()) {
        files.add(rs.getString(1));
        if (at.binlogFile().equals(rs.getString(1))) {
          size = rs.getLong(2);
        }
      }
    } catch (SQLException e) {
      throw new DbJobsException(
          ErrorCode.REPLICATION_FAILED,
          "cannot list the binary logs of the primary "
              + source.address()
              + " as "
              + source.user()
              + ": "
              + redacted(SqlErrors.message(e), source),
          e);
    }
    if (size == null) {
      throw new DbJobsException(
          ErrorCode.PREFLIGHT_REFUSED,
          "the primary "
              + source.address()
              + " has no binary log "
              + at.binlogFile()
              + " (it has "
              + (files.isEmpty() ? "none" : files.get(0) + " to " + files.get(files.size() - 1))
              + "): the data was not taken from it, or its binary logs were purged since; reseed"
              + " again from a newer copy of the primary");
    }
    if (at.binlogPos() > size) {
      throw new DbJobsException(
          ErrorCode.PREFLIGHT_REFUSED,
          "position "
              + coordinates
              + " is beyond the end of the primary's "
              + at.binlogFile()
              + " ("
              + size
              + " bytes): the data was not taken from "
              + source.address());
    }
  }

  private static Connection connectTo(Replication.Source source, JobContext ctx)
      throws SQLException {
    DatabaseEndpoint ep =
        new DatabaseEndpoint(
            source.host(),
            source.port(),
            null,
            source.user(),
            source.password(),
            ctx.config().database().tls());
    Properties p = new Properties();
    p.setProperty("user", source.user());
    p.setProperty("password", source.password().reveal());
    return DriverManager.getConnection(DataSources.jdbcUrl(ep, ctx.config().connectTimeout()), p);
  }

  /** As {@link #redacted(String, Replication.Source)}, every channel's password masked too. */
  static String redacted(
      String message, Replication.Source source, List<Replication.Source> channelSources) {
    String m = redacted(message, source);
    for (Replication.Source ch : channelSources) {
      m = redacted(m, ch);
    }
    return m;
  }

  /**
   * Waits until every connection of {@code channels} runs and has applied what its source had, in
   * the connection's own GTID domains, at the time of the check (just running, for a connection
   * that had received nothing before the reseed).
   *
   * @throws DbJobsException REPLICATION_FAILED naming the connection whose thread stopped with an
   *     error or whose source cannot be read, TIMEOUT naming the one that did not catch up in time
   */
  static String awaitChannels(JobContext ctx, List<ChannelSettings> channels, Duration timeout)
      throws InterruptedException {
    if (channels.isEmpty()) {
      return "";
    }
    List<Replication.Source> sources = channelSources(ctx, channels);
    long deadline = System.nanoTime() + timeout.toNanos();
    List<String> done = new java.util.ArrayList<>();
    for (int i = 0; i < channels.size(); i++) {
      ChannelSettings ch = channels.get(i);
      Replication.Source src = sources.get(i);
      String target;
      try {
        target =
            ch.inMyDomains(
                primaryPosition(
                    new MariaDbReplication(),
                    src,
                    ctx.config().database().tls(),
                    ctx.config().connectTimeout()));
      } catch (DbJobsException e) {
        throw new DbJobsException(
            ErrorCode.REPLICATION_FAILED,
            ch.describe() + " was set up again, but its source cannot be read: " + e.getMessage(),
            e);
      }
      ctx.phase("catching up " + ch.describe() + (target.isEmpty() ? "" : " to " + target));
      String last = "";
      while (true) {
        ctx.checkStopping();
        try (Connection c = ctx.database().getConnection();
            Statement s = c.createStatement()) {
          String[] st = channelStatus(s, ch.name());
          if (st == null) {
            throw new DbJobsException(
                ErrorCode.REPLICATION_FAILED,
                ch.describe() + " is not configured after repositioning");
          }
          last = "io=" + st[0] + " sql=" + st[1];
          if ("No".equals(st[1]) && st[3] != null && !st[3].isBlank()) {
            throw new DbJobsException(
                ErrorCode.REPLICATION_FAILED,
                "the SQL thread of " + ch.describe() + " stopped: " + st[3]);
          }
          if ("No".equals(st[0]) && st[2] != null && !st[2].isBlank()) {
            throw new DbJobsException(
                ErrorCode.REPLICATION_FAILED,
                "the IO thread of " + ch.describe() + " cannot read: " + redacted(st[2], src));
          }
          if ("Yes".equals(st[0]) && "Yes".equals(st[1])) {
            if (target.isEmpty()) {
              break;
            }
            try (PreparedStatement wait = c.prepareStatement("SELECT MASTER_GTID_WAIT(?, 1)")) {
              wait.setString(1, target);
              try (ResultSet w = wait.executeQuery()) {
                if (w.next() && w.getInt(1) == 0) {
                  break;
                }
              }
            }
          }
        } catch (SQLException e) {
          if (!SqlErrors.isConnectionLoss(e)) {
            throw new DbJobsException(
                ErrorCode.REPLICATION_FAILED,
                "checking " + ch.describe() + " failed: " + SqlErrors.message(e),
                e);
          }
        }
        if (System.nanoTime() > deadline) {
          throw new DbJobsException(
              ErrorCode.TIMEOUT,
              ch.describe()
                  + " did not catch up with "
                  + (target.isEmpty() ? "its source" : target)
                  + " within "
                  + Durations.human(timeout)
                  + " ("
                  + last
                  + "); it keeps replicating");
        }
        Thread.sleep(500);
      }
      done.add("'" + ch.name() + "'" + (target.isEmpty() ? " running" : " at " + target));
    }
    return "connections " + String.join(", ", done) + " replicate again";
  }

  /** IO state, SQL state, last IO error, last SQL error of connection {@code name}, or null. */
  private static String[] channelStatus(Statement s, String name) throws SQLException {
    try (ResultSet rs = s.executeQuery("SHOW ALL SLAVES STATUS")) {
      while (rs.next()) {
        if (name.equals(rs.getString("Connection_name"))) {
          return new String[] {
            rs.getString("Slave_IO_Running"),
            rs.getString("Slave_SQL_Running"),
            rs.getString("Last_IO_Error"),
            rs.getString("Last_SQL_Error")
          };
        }
      }
    }
    return null;
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
    String[] binlogTarget = byBinlog(ctx, r) ? primaryBinlogPosition(ctx, source) : null;
    String target =
        binlogTarget != null
            ? binlogTarget[0] + ":" + binlogTarget[1]
            : primaryPosition(
                r, source, ctx.config().database().tls(), ctx.config().connectTimeout());
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
          if ("Yes".equals(io) && "Yes".equals(sql) && binlogTarget != null) {
            try (PreparedStatement wait = c.prepareStatement("SELECT MASTER_POS_WAIT(?, ?, 1)")) {
              wait.setString(1, binlogTarget[0]);
              wait.setLong(2, Long.parseLong(binlogTarget[1]));
              try (ResultSet w = wait.executeQuery()) {
                if (w.next() && w.getObject(1) != null && w.getLong(1) >= 0) {
                  return new CaughtUp(target, Duration.ofNanos(System.nanoTime() - start));
                }
              }
            }
          } else if ("Yes".equals(io) && "Yes".equals(sql)) {
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

  /** True when this MariaDB node's default connection replicates by file:position. */
  private static boolean byBinlog(JobContext ctx, Replication r) {
    if (!(r instanceof MariaDbReplication)) {
      return false;
    }
    try (Connection c = ctx.database().getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SHOW SLAVE STATUS")) {
      return rs.next() && "No".equalsIgnoreCase(rs.getString("Using_Gtid"));
    } catch (SQLException e) {
      throw new DbJobsException(
          ErrorCode.REPLICATION_FAILED,
          "cannot read this node's replication status: " + SqlErrors.message(e),
          e);
    }
  }

  /** The primary's current binary log file and offset ({@code SHOW MASTER STATUS}). */
  private static String[] primaryBinlogPosition(JobContext ctx, Replication.Source source) {
    try (Connection c = connectTo(source, ctx);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SHOW MASTER STATUS")) {
      if (!rs.next()) {
        throw new DbJobsException(
            ErrorCode.REPLICATION_FAILED,
            "the primary " + source.address() + " has no binary log (SHOW MASTER STATUS is empty)");
      }
      return new String[] {rs.getString(1), Long.toString(rs.getLong(2))};
    } catch (SQLException e) {
      throw new DbJobsException(
          ErrorCode.REPLICATION_FAILED,
          "cannot read the primary's binary log position at "
              + source.address()
              + " as "
              + source.user()
              + ": "
              + redacted(SqlErrors.message(e), source),
          e);
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
            own == null ? null : (own + TEMPORARY_SERVER_ID_OFFSET) % 4294967295L,
            List.of());
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
