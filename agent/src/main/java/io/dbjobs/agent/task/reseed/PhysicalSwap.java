package io.dbjobs.agent.task.reseed;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A physical reseed from prepared new data to a node that serves and replicates it, as one
 * journaled sequence ({@link DatadirSwap} holds the files): stop the server, move the old entries
 * out and the new ones in, start, verify the tables open and put this node's job history back
 * ({@code verified}), reposition, catch up, then delete the old data ({@code committed}).
 *
 * <p>Before {@code verified}, any failure, in this run or found by {@link #settle} at the next
 * agent start, rolls back: the old entries return and the server starts on them. After it, the new
 * data has served once: a settle verifies it again and finishes; a failure to reposition or catch
 * up leaves the new data serving and the old data kept aside, and says so.
 */
final class PhysicalSwap {
  private static final Logger LOG = LoggerFactory.getLogger(PhysicalSwap.class);

  /** The node's server, as the swap drives it. */
  interface Server {
    boolean answers();

    /** Stops the server and waits until it is down. */
    void stop() throws InterruptedException;

    /** Starts the server and waits until it answers. */
    void start() throws InterruptedException;

    /** Checks the data serves (every table opens); throws when it does not. */
    void verify();

    /** Puts this node's job history, saved before the swap, back into the new data. */
    void restoreHistory(Path historyFile);
  }

  /** Replication after the swap, towards the plan's primary. */
  interface Rejoin {
    /** True when this node's replication already points at {@code primary} (host:port). */
    boolean pointsAt(String primary);

    /** Replicates from {@code primary}, starting after {@code gtid}. */
    void reposition(String primary, String gtid);

    /** Starts replication as configured (after an interrupted repositioning got past it). */
    void resume(String primary);

    /** Waits until the node caught up with the primary; says with what, and how long it took. */
    String catchUp(String primary) throws InterruptedException;
  }

  /** How a swap ended. */
  record Ended(boolean finished, ErrorCode code, String text) {
    static Ended finished(String text) {
      return new Ended(true, null, text);
    }
  }

  private final DatadirSwap swap;
  private final Server server;
  private final Rejoin rejoin;
  private final CrashPoints crash;

  PhysicalSwap(DatadirSwap swap, Server server, Rejoin rejoin, CrashPoints crash) {
    this.swap = swap;
    this.server = server;
    this.rejoin = rejoin;
    this.crash = crash;
  }

  /**
   * Swaps the prepared new data in (the journal has its {@code prepared} mark), starts the server
   * on it, checks it serves and puts this node's job history back: the part that must not be
   * interrupted ({@link io.dbjobs.agent.task.JobContext#critical}).
   *
   * @throws DbJobsException ROLLED_BACK when the new data did not serve and the old data serves
   *     again; RESTORE_FAILED for a hard stop (the node is left as the journal says)
   */
  void swapIn() throws InterruptedException {
    SwapPlan plan = swap.plan();
    swap.mark(DatadirSwap.SWAPPING, CrashPoint.SWAP_BEGUN);
    try {
      server.stop();
      swap.mark(DatadirSwap.STOPPED, CrashPoint.SWAP_STOPPED);
      swap.moveOldOut();
      swap.moveNewIn();
      server.start();
      swap.mark(DatadirSwap.STARTED, CrashPoint.SWAP_STARTED);
      server.verify();
      Path history = plan.historyPath();
      if (history != null && Files.exists(history)) {
        server.restoreHistory(history);
      }
      swap.mark(DatadirSwap.VERIFIED, CrashPoint.SWAP_VERIFIED);
    } catch (IOException | RuntimeException | InterruptedException e) {
      if (isHardStop(e)) {
        swap.release();
        throw (DbJobsException) e;
      }
      String why = DbJobsException.describe(e);
      LOG.error(
          "{}: the new data does not serve ({}); putting the old data back", plan.label(), why);
      Ended back;
      try {
        back = rollBack("the new data did not serve: " + why);
      } catch (RuntimeException r) {
        r.addSuppressed(e);
        throw r;
      }
      throw new DbJobsException(ErrorCode.ROLLED_BACK, back.text(), e);
    }
  }

  /**
   * After {@link #swapIn}: repositions, waits for the catch-up, deletes the old data (or keeps it).
   *
   * @return what it did, for the job's result
   * @throws DbJobsException when repositioning or catching up failed: the new data serves, the old
   *     data is kept aside (the message says where)
   */
  String finish() throws InterruptedException {
    Ended done = finishAfterVerified(false);
    if (!done.finished()) {
      throw new DbJobsException(done.code(), done.text());
    }
    return done.text();
  }

  /**
   * Settles a swap an earlier agent left unfinished: finishes it when the new data had been
   * verified serving (and still is), rolls it back otherwise.
   */
  Ended settle() throws InterruptedException {
    SwapPlan plan = swap.plan();
    StepJournal.Replay r = swap.replay();
    String at = r.lastMark();
    if (r.has(DatadirSwap.COMMITTED)) {
      LOG.warn("{}: the swap was committed; deleting what is left of the old data", plan.label());
      ensureStarted();
      return commit(
          "the new data had been verified, repositioned and caught up before the agent stopped"
              + " (replicating from "
              + plan.primary()
              + ")");
    }
    if (r.has(DatadirSwap.ROLLBACK) || r.has(DatadirSwap.ROLLED_BACK)) {
      return rollBack(r.note(DatadirSwap.ROLLBACK));
    }
    if (!r.has(DatadirSwap.VERIFIED)) {
      String why =
          DatadirSwap.anythingMoved(r)
              ? "the agent stopped during the datadir swap (after '"
                  + at
                  + "'), before the new data was verified"
              : "the agent stopped before the datadir swap moved anything (after '" + at + "')";
      return rollBack(why);
    }
    LOG.warn(
        "{}: the new data had been verified serving (journal ends at '{}'); verifying it again and"
            + " finishing",
        plan.label(),
        at);
    try {
      if (!server.answers()) {
        server.start();
      }
      server.verify();
    } catch (RuntimeException e) {
      return rollBack(
          "the new data, verified before the agent stopped, did not serve after its restart: "
              + DbJobsException.describe(e));
    }
    Ended done = finishAfterVerified(true);
    return done.finished()
        ? Ended.finished(
            "the new data had been verified serving before the agent stopped (after '"
                + at
                + "'); verified again, "
                + done.text())
        : done;
  }

  /** Repositions, catches up and commits; a failure keeps the new data and the old one aside. */
  private Ended finishAfterVerified(boolean settling) throws InterruptedException {
    SwapPlan plan = swap.plan();
    StepJournal.Replay r = swap.replay();
    String gtid = r.note(DatadirSwap.PREPARED);
    String caught;
    try {
      if (r.has(DatadirSwap.REPOSITIONED)
          || (settling && r.has(DatadirSwap.REPOSITIONING) && rejoin.pointsAt(plan.primary()))) {
        rejoin.resume(plan.primary());
      } else {
        swap.mark(DatadirSwap.REPOSITIONING, CrashPoint.SWAP_REPOSITIONING);
        rejoin.reposition(plan.primary(), gtid);
      }
      if (!r.has(DatadirSwap.REPOSITIONED)) {
        swap.mark(DatadirSwap.REPOSITIONED, CrashPoint.SWAP_REPOSITIONED);
      }
      caught = rejoin.catchUp(plan.primary());
      swap.mark(DatadirSwap.CAUGHT_UP, CrashPoint.SWAP_CAUGHT_UP);
    } catch (RuntimeException | InterruptedException e) {
      DbJobsException d = DbJobsException.from(e, "repositioning after the swap");
      String text =
          d.getMessage()
              + "; the new data serves (verified), and the old data is kept in "
              + plan.oldData()
              + " (delete it once the node replicates)";
      try {
        swap.finish();
      } catch (IOException | RuntimeException f) {
        text += "; the swap's journal could not be removed: " + DbJobsException.describe(f);
      }
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      LOG.warn("{}: {}", plan.label(), text);
      return new Ended(false, d.code(), text);
    }
    return commit(
        "replicating from "
            + plan.primary()
            + (Repositioning.isBinlogNote(gtid) ? " from " : " after GTID ")
            + gtid
            + ", "
            + caught);
  }

  private Ended commit(String what) {
    SwapPlan plan = swap.plan();
    try {
      if (!swap.replay().has(DatadirSwap.COMMITTED)) {
        swap.mark(DatadirSwap.COMMITTED, CrashPoint.SWAP_COMMITTED);
      }
      swap.deleteOld(plan.keepOld());
      swap.finish();
    } catch (IOException e) {
      throw new DbJobsException(
          ErrorCode.INTERNAL,
          "the new data serves and replicates, but cleaning up "
              + plan.oldData()
              + " failed: "
              + e
              + "; the next agent start retries",
          e);
    }
    return Ended.finished(
        what
            + (plan.keepOld()
                ? "; the old data is kept in " + plan.oldData()
                : "; the old data was deleted"));
  }

  /**
   * Puts the old data back exactly as the journal says and starts the server on it. Resumes an
   * interrupted rollback.
   *
   * @return the ended rollback (never {@code finished})
   * @throws DbJobsException a hard stop (the node is left as the journal says, server stopped), or
   *     when the old data does not start again
   */
  private Ended rollBack(String reason) throws InterruptedException {
    SwapPlan plan = swap.plan();
    StepJournal.Replay r = swap.replay();
    if (!r.has(DatadirSwap.ROLLBACK)) {
      swap.mark(DatadirSwap.ROLLBACK, reason, CrashPoint.SWAP_ROLLBACK_BEGUN);
    }
    int putBack = DatadirSwap.movedOut(r).size();
    boolean moved = putBack > 0;
    try {
      if (moved && !r.has(DatadirSwap.ROLLED_BACK)) {
        if (server.answers()) {
          server.stop();
        }
        swap.rollBackFiles();
      }
    } catch (IOException | RuntimeException e) {
      swap.release();
      if (isHardStop(e)) {
        throw (DbJobsException) e;
      }
      throw new DbJobsException(
          ErrorCode.RESTORE_FAILED,
          reason
              + "; putting the old data back failed: "
              + DbJobsException.describe(e)
              + "; the server is left stopped, the journal "
              + swap.journalFile()
              + " says which entries moved (the next agent start resumes the rollback)",
          e);
    }
    ensureStarted();
    try {
      swap.finish();
    } catch (IOException e) {
      throw new DbJobsException(
          ErrorCode.RESTORE_FAILED,
          "rolled back (the old data serves) but removing the staged new data or the journal"
              + " failed: "
              + e,
          e);
    }
    String text =
        "rolled back (the old data serves again): "
            + reason
            + "; "
            + (moved
                ? "the " + putBack + " old entries moved out were put back into " + plan.datadir()
                : "nothing of the old data had been moved")
            + "; the new data was removed";
    LOG.warn("{}: {}", plan.label(), text);
    return new Ended(false, ErrorCode.ROLLED_BACK, text);
  }

  private void ensureStarted() throws InterruptedException {
    if (!server.answers()) {
      try {
        server.start();
      } catch (RuntimeException e) {
        swap.release();
        throw new DbJobsException(
            ErrorCode.SERVER_NOT_ANSWERING,
            "the datadir "
                + swap.plan().datadir()
                + " holds the data the journal says, but the server does not start: "
                + DbJobsException.describe(e)
                + "; the journal "
                + swap.journalFile()
                + " stays, the next agent start tries again",
            e);
      }
    }
  }

  private static boolean isHardStop(Throwable e) {
    return e instanceof DatadirSwap.HardStop;
  }
}
