package io.dbjobs.manager.reseed;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.db.SqlErrors;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import javax.sql.DataSource;

/**
 * Preflight: can a node restored at a backup's position catch up from the primary? Only if the
 * primary still has, in its binary logs, every transaction after that position, and has no fewer
 * transactions than the backup.
 */
final class BinlogCoverage {
  private BinlogCoverage() {}

  static void check(
      Topology.NodeView primary, DataSource primaryPool, String backupGtid, String backup) {
    if (backupGtid == null || backupGtid.isBlank()) {
      throw new DbJobsException(
          ErrorCode.PREFLIGHT_REFUSED,
          backup + " has no GTID position: a replica cannot be positioned from it");
    }
    try (Connection c = primaryPool.getConnection();
        Statement s = c.createStatement()) {
      if (primary.mariadb()) {
        String oldest;
        try (ResultSet rs = s.executeQuery("SHOW BINARY LOGS")) {
          if (!rs.next()) {
            throw new DbJobsException(
                ErrorCode.PREFLIGHT_REFUSED,
                "the primary "
                    + primary.name()
                    + " has no binary log: nothing can replicate from it");
          }
          oldest = rs.getString(1);
        }
        String state;
        try (PreparedStatement ps = c.prepareStatement("SELECT BINLOG_GTID_POS(?, 4)")) {
          ps.setString(1, oldest);
          try (ResultSet rs = ps.executeQuery()) {
            rs.next();
            state = rs.getString(1);
          }
        }
        List<String> missing = GtidPositions.mariadbMissing(backupGtid, state);
        if (!missing.isEmpty()) {
          throw tooOld(backup, primary, oldest, String.join("; ", missing));
        }
        List<String> ahead = GtidPositions.mariadbAhead(backupGtid, primary.gtidPosition());
        if (!ahead.isEmpty()) {
          throw new DbJobsException(
              ErrorCode.PREFLIGHT_REFUSED,
              backup
                  + " has transactions the primary "
                  + primary.name()
                  + " does not ("
                  + String.join("; ", ahead)
                  + "): it comes from a node that diverged; pick another backup or use physicaldonor/logicalmaster");
        }
      } else {
        String purged;
        try (ResultSet rs = s.executeQuery("SELECT @@GLOBAL.gtid_purged")) {
          rs.next();
          purged = rs.getString(1);
        }
        List<String> missing = GtidPositions.mysqlMissing(backupGtid, purged);
        if (!missing.isEmpty()) {
          throw tooOld(backup, primary, "gtid_purged", String.join("; ", missing));
        }
      }
    } catch (SQLException e) {
      throw new DbJobsException(
          SqlErrors.classify(e),
          "cannot check the primary "
              + primary.name()
              + "'s binary logs: "
              + SqlErrors.message(e)
              + " (the manager user needs BINLOG MONITOR, see sql/grants.sql)",
          e);
    }
  }

  private static DbJobsException tooOld(
      String backup, Topology.NodeView primary, String oldest, String detail) {
    return new DbJobsException(
        ErrorCode.PREFLIGHT_REFUSED,
        backup
            + " is too old: the primary "
            + primary.name()
            + " no longer has the binary logs after its position ("
            + detail
            + "; oldest binlog "
            + oldest
            + "). Take a fresh backup, or reseed with --method physicaldonor"
            + " or --method logicalmaster, which copy the data as it is now");
  }
}
