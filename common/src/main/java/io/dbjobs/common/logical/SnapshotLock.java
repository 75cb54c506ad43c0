package io.dbjobs.common.logical;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.db.SqlErrors;
import io.dbjobs.common.time.Durations;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTimeoutException;
import java.sql.Statement;
import java.time.Duration;

/**
 * The brief lock under which a dump's sessions open their one shared snapshot: MariaDB's {@code
 * BACKUP STAGE START} then {@code BACKUP STAGE BLOCK_COMMIT} (no commit, DDL or write to a
 * non-transactional table until {@code BACKUP STAGE END}), asked for with {@code lock_wait_timeout}
 * set to what is left of the timeout, and a query timeout (a {@code KILL QUERY} from the driver) as
 * a backstop. While the lock is asked for, the server makes new commits wait behind it: the timeout
 * is the longest the source can be held up by a lock that cannot be had.
 */
final class SnapshotLock {
  static final String METHOD = "BACKUP STAGE BLOCK_COMMIT";

  private final Connection control;
  private final String source;
  private long waitNanos;
  private long lockedAt;
  private boolean held;

  private SnapshotLock(Connection control, String source) {
    this.control = control;
    this.source = source;
  }

  /**
   * Takes the lock on {@code control}.
   *
   * @throws DbJobsException TIMEOUT when it could not be had within {@code timeout}, naming what
   *     usually holds it; the classified SQL error otherwise
   */
  static SnapshotLock take(Connection control, String source, Duration timeout)
      throws SQLException {
    SnapshotLock l = new SnapshotLock(control, source);
    long t0 = System.nanoTime();
    long deadline = t0 + timeout.toNanos();
    try (Statement s = control.createStatement()) {
      for (String stage : new String[] {"BACKUP STAGE START", "BACKUP STAGE BLOCK_COMMIT"}) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw l.timedOut(timeout, "no time left for " + stage, null);
        }
        long secs = Math.max(1, (left + 999_999_999L) / 1_000_000_000L);
        s.execute("SET SESSION lock_wait_timeout = " + secs);
        s.setQueryTimeout((int) secs + 2);
        try {
          s.execute(stage);
          l.held = true;
        } catch (SQLException e) {
          if (isTimeout(e)) {
            throw l.timedOut(timeout, SqlErrors.message(e), e);
          }
          throw new DbJobsException(
              SqlErrors.classify(e),
              stage + " on " + source + " failed: " + SqlErrors.message(e),
              e);
        }
      }
      s.setQueryTimeout(0);
    } catch (DbJobsException | SQLException e) {
      l.releaseQuietly();
      throw e;
    }
    l.waitNanos = System.nanoTime() - t0;
    l.lockedAt = System.nanoTime();
    return l;
  }

  private static boolean isTimeout(SQLException e) {
    for (Throwable c = e; c != null; c = c.getCause()) {
      if (c instanceof SQLTimeoutException) {
        return true;
      }
      if (c instanceof SQLException s
          && (s.getErrorCode() == 1205 // ER_LOCK_WAIT_TIMEOUT
              || s.getErrorCode() == 1317 // ER_QUERY_INTERRUPTED (the driver's KILL QUERY)
              || s.getErrorCode() == 1969)) { // ER_STATEMENT_TIMEOUT
        return true;
      }
    }
    return false;
  }

  private DbJobsException timedOut(Duration timeout, String why, Throwable cause) {
    return new DbJobsException(
        ErrorCode.TIMEOUT,
        "the dump could not take its snapshot lock ("
            + METHOD
            + ") on "
            + source
            + " within "
            + Durations.human(timeout)
            + " ("
            + why
            + "): a long statement or a LOCK TABLES ... WRITE on a non-transactional table holds"
            + " it (see SHOW PROCESSLIST); the request was withdrawn, so the source was held up"
            + " no longer than that, and nothing was dumped",
        cause);
  }

  Duration waited() {
    return Duration.ofNanos(waitNanos);
  }

  /** Releases the lock ({@code BACKUP STAGE END}) and returns how long it was held. */
  Duration release() throws SQLException {
    if (held) {
      try (Statement s = control.createStatement()) {
        s.execute("BACKUP STAGE END");
      }
      held = false;
    }
    return Duration.ofNanos(System.nanoTime() - lockedAt);
  }

  /** Releases without failing (closing the connection releases it too). */
  void releaseQuietly() {
    try {
      if (held) {
        try (Statement s = control.createStatement()) {
          s.execute("BACKUP STAGE END");
        }
        held = false;
      }
    } catch (SQLException e) {
      // the caller closes the connection next, which releases the lock
    }
  }
}
