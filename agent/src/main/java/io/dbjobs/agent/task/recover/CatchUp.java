package io.dbjobs.agent.task.recover;

import io.dbjobs.agent.task.JobContext;
import io.dbjobs.agent.task.reseed.Replication;
import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.db.SqlErrors;
import io.dbjobs.common.health.NodeFacts;
import io.dbjobs.common.health.NodeFactsReader;
import io.dbjobs.common.health.ReplicaChannel;
import io.dbjobs.common.health.ThreadState;
import io.dbjobs.common.time.Durations;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;

/**
 * Waits, with a deadline, until the recovered node runs every replication connection and has
 * applied the primary's position read when the wait began. A thread that stops with an error ends
 * the wait at once; an IO thread that keeps failing to connect ends it after {@link #CONNECT_GRACE}
 * (its source does not answer: waiting out the whole catch-up time helps nobody).
 */
final class CatchUp {
  private static final Duration PAUSE = Duration.ofMillis(500);
  static final Duration CONNECT_GRACE = Duration.ofSeconds(30);

  private CatchUp() {}

  /** Returns how long it took. */
  static Duration await(
      JobContext ctx, Replication r, String connection, String target, Duration timeout)
      throws InterruptedException {
    long start = System.nanoTime();
    long deadline = start + timeout.toNanos();
    String last = "";
    java.util.Map<String, Long> connectingSince = new java.util.HashMap<>();
    while (true) {
      ctx.checkStopping();
      try (Connection c = ctx.database().getConnection()) {
        NodeFacts now = NodeFactsReader.read(c, NodeFactsReader.Part.CHANNELS);
        ReplicaChannel mine = now.channel(connection);
        if (mine == null) {
          throw new DbJobsException(
              ErrorCode.REPLICATION_FAILED,
              ReplicaChannel.describe(connection) + " vanished while catching up");
        }
        for (ReplicaChannel ch : now.channels()) {
          failOnError(ch);
          if (ch.io() == ThreadState.CONNECTING && ch.lastIoErrno() != 0) {
            long since = connectingSince.computeIfAbsent(ch.name(), k -> System.nanoTime());
            if (System.nanoTime() - since > CONNECT_GRACE.toNanos()) {
              throw new DbJobsException(
                  ErrorCode.REPLICATION_FAILED,
                  "the IO thread of "
                      + ch.describe()
                      + " has not reached "
                      + ch.source()
                      + " for "
                      + Durations.human(CONNECT_GRACE)
                      + ": error "
                      + ch.lastIoErrno()
                      + ": "
                      + ch.lastIoError()
                      + "; it keeps retrying");
            }
          } else {
            connectingSince.remove(ch.name());
          }
        }
        last = status(mine);
        ctx.phase("catching up to " + target + " (" + last + ")");
        boolean allRunning = now.channels().stream().allMatch(ReplicaChannel::running);
        if (allRunning) {
          try (PreparedStatement s = c.prepareStatement(r.waitForPositionQuery())) {
            s.setString(1, target);
            s.setInt(2, 1);
            try (ResultSet w = s.executeQuery()) {
              if (w.next() && w.getInt(1) == 0) {
                return Duration.ofNanos(System.nanoTime() - start);
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
                + last
                + "); it keeps replicating");
      }
      Thread.sleep(PAUSE.toMillis());
    }
  }

  private static void failOnError(ReplicaChannel ch) {
    if (ch.sql() == ThreadState.STOPPED && ch.lastSqlErrno() != 0) {
      throw new DbJobsException(
          ErrorCode.REPLICATION_FAILED,
          "the SQL thread of "
              + ch.describe()
              + " stopped with error "
              + ch.lastSqlErrno()
              + ": "
              + ch.lastSqlError());
    }
    if (ch.io() == ThreadState.STOPPED && ch.lastIoErrno() != 0) {
      throw new DbJobsException(
          ErrorCode.REPLICATION_FAILED,
          "the IO thread of "
              + ch.describe()
              + " cannot read from "
              + ch.source()
              + ": error "
              + ch.lastIoErrno()
              + ": "
              + ch.lastIoError());
    }
  }

  private static String status(ReplicaChannel c) {
    return "io="
        + c.io().name().toLowerCase(java.util.Locale.ROOT)
        + " sql="
        + c.sql().name().toLowerCase(java.util.Locale.ROOT)
        + " lag="
        + (c.secondsBehind() == null ? "?" : c.secondsBehind() + "s");
  }
}
