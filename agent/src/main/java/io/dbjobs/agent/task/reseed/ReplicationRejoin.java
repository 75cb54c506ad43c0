package io.dbjobs.agent.task.reseed;

import io.dbjobs.agent.task.JobContext;
import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.db.SqlErrors;
import io.dbjobs.common.time.Durations;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Replication of a restored node towards its primary ({@link Repositioning}'s statements), for a
 * swap or a logical reseed and for their settle: reposition from the restored data's GTID, or
 * resume a repositioning that got past its {@code CHANGE MASTER}, then wait for the catch-up. A
 * flashback replicates under a temporary server_id until it caught up ({@link
 * Repositioning#TEMPORARY_SERVER_ID_OFFSET}), its own one taken from the journal, not from the
 * server (which may run with the temporary one still).
 */
final class ReplicationRejoin implements PhysicalSwap.Rejoin {
  private final JobContext ctx;
  private final Long ownServerId;
  private final List<ChannelSettings> channels;

  /**
   * @param ownServerId the node's own server_id for a flashback, null otherwise
   * @param channels the node's other named connections, recorded before the reseed (null, from a
   *     journal written before they were recorded: none)
   */
  ReplicationRejoin(JobContext ctx, Long ownServerId, List<ChannelSettings> channels) {
    this.ctx = ctx;
    this.ownServerId = ownServerId;
    this.channels = channels == null ? List.of() : List.copyOf(channels);
  }

  private Long temporaryServerId() {
    return ownServerId == null
        ? null
        : (ownServerId + Repositioning.TEMPORARY_SERVER_ID_OFFSET) % 4294967295L;
  }

  @Override
  public boolean pointsAt(String primary) {
    Replication.Source src = Repositioning.source(ctx, primary);
    try (Connection c = ctx.database().getConnection();
        Statement s = c.createStatement()) {
      Replication r = Repositioning.flavor(c);
      boolean maria = r instanceof MariaDbReplication;
      try (ResultSet rs =
          s.executeQuery(maria ? "SHOW ALL SLAVES STATUS" : "SHOW REPLICA STATUS")) {
        while (rs.next()) {
          String host = rs.getString(maria ? "Master_Host" : "Source_Host");
          int port = rs.getInt(maria ? "Master_Port" : "Source_Port");
          if (src.host().equals(host) && src.port() == port) {
            return true;
          }
        }
      }
      return false;
    } catch (SQLException e) {
      throw new DbJobsException(
          ErrorCode.REPLICATION_FAILED,
          "cannot read this node's replication settings: " + SqlErrors.message(e),
          e);
    }
  }

  @Override
  public void reposition(String primary, String gtid) {
    Replication r =
        Repositioning.reposition(
            ctx, Repositioning.source(ctx, primary), gtid, temporaryServerId(), channels);
    after(r);
  }

  @Override
  public void resume(String primary) {
    ctx.phase("resuming replication from " + primary);
    try (Connection c = ctx.database().getConnection();
        Statement s = c.createStatement()) {
      Replication r = Repositioning.flavor(c);
      boolean maria = r instanceof MariaDbReplication;
      List<String> sql = new ArrayList<>();
      if (temporaryServerId() != null) {
        sql.add(maria ? "STOP SLAVE" : "STOP REPLICA");
        sql.add("SET GLOBAL server_id = " + temporaryServerId());
      }
      sql.add(channels.isEmpty() ? (maria ? "START SLAVE" : "START REPLICA") : r.startAll());
      sql.add("SET GLOBAL read_only = 1");
      for (String q : sql) {
        s.execute(q);
      }
      after(r);
    } catch (SQLException e) {
      throw new DbJobsException(
          ErrorCode.REPLICATION_FAILED,
          "cannot resume replication from " + primary + ": " + SqlErrors.message(e),
          e);
    }
  }

  @Override
  public String catchUp(String primary) throws InterruptedException {
    Replication.Source src = Repositioning.source(ctx, primary);
    Replication r;
    try (Connection c = ctx.database().getConnection()) {
      r = Repositioning.flavor(c);
    } catch (SQLException e) {
      throw new DbJobsException(
          ErrorCode.REPLICATION_FAILED, "cannot reach the node: " + SqlErrors.message(e), e);
    }
    Repositioning.CaughtUp caught =
        Repositioning.awaitCatchUp(ctx, r, src, ctx.config().reseed().catchUpTimeout());
    if (ownServerId != null) {
      Repositioning.restoreServerId(ctx, r, ownServerId);
    }
    String others =
        Repositioning.awaitChannels(ctx, channels, ctx.config().reseed().catchUpTimeout());
    return "caught up with "
        + caught.primaryPosition()
        + " in "
        + Durations.human(caught.took())
        + (others.isEmpty() ? "" : "; " + others);
  }

  private void after(Replication r) {
    List<String> sql = DonorReplicationFiles.afterRepositioning(DonorReplicationFiles.Flavor.of(r));
    if (sql.isEmpty()) {
      return;
    }
    try (Connection c = ctx.database().getConnection();
        Statement s = c.createStatement()) {
      for (String q : sql) {
        s.execute(q);
      }
    } catch (SQLException e) {
      throw new DbJobsException(
          ErrorCode.REPLICATION_FAILED,
          "replication is repositioned but " + sql + " failed: " + SqlErrors.message(e),
          e);
    }
  }
}
