package io.dbjobs.common.jobs;

import io.dbjobs.common.job.JobState;
import java.sql.PreparedStatement;

/** The one statement that marks jobs whose agent stopped renewing their lease as lost. */
final class LeaseSweep {
  private LeaseSweep() {}

  /**
   * Fails every active job whose lease expired by the database's clock, except those of {@code
   * exceptOwner} (null: none excepted).
   */
  static int failExpired(TableAccess db, String observer, String exceptOwner) {
    String sql =
        "UPDATE "
            + JobsTable.NAME
            // assignments run left to right: the message reads lease_expires before it is cleared
            + " SET result=CONCAT('agent lost: ', COALESCE(lease_owner, '?'), ' stopped renewing"
            + " its lease (expired ', DATE_FORMAT(lease_expires, '%Y-%m-%d %H:%i:%s'), ' UTC)"
            + " during phase ', COALESCE(phase, '?'), '; noticed by ', ?, '. The job was not"
            + " re-run: check the node, then submit it again.'),"
            + " state="
            + JobState.FAILED.code()
            + ", done=1, end=NOW(3), error_code='AGENT_LOST', lease_expires=NULL,"
            + " secret_box=NULL WHERE "
            + JobsTable.ACTIVE
            + " AND lease_expires < NOW(3) AND lease_owner <> ?";
    return db.write(
        "fail jobs with expired leases",
        c -> {
          try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, observer);
            ps.setString(2, exceptOwner == null ? "" : exceptOwner);
            return ps.executeUpdate();
          }
        });
  }
}
