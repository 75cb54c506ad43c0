package io.dbjobs.agent.task.reseed;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The files of a datadir swap, journaled entry by entry so that an agent killed at any instant
 * leaves a journal that says exactly which entries moved ({@link StepJournal}).
 *
 * <p>It moves the datadir's entries (renames on one filesystem), never the datadir itself, so its
 * owner, mode and mount stay as they are. Each rename is announced (intent line, forced), done,
 * both folders forced, then recorded as done. A rename never replaces an existing name: finding one
 * is a hard stop ({@code RESTORE_FAILED}, "nothing more is moved"), never an overwrite.
 *
 * <p>Rolling back moves back exactly what moved: the old entries recorded as moved out return from
 * the old-data folder; entries go from the datadir to the new-data folder only once every old entry
 * had been moved out and recorded so ({@code all-out}), that is when everything in the datadir is
 * new data (moved in, or written by the server started on it).
 */
final class DatadirSwap {
  private static final Logger LOG = LoggerFactory.getLogger(DatadirSwap.class);

  /** The journal's kind. */
  static final String KIND = "datadir-swap";

  // moves (the step of intent and done lines)
  static final String OUT = "out";
  static final String IN = "in";
  static final String BACK_NEW = "back-new";
  static final String BACK_OLD = "back-old";

  // marks, in the order a swap writes them
  static final String PREPARED = "prepared";
  static final String SWAPPING = "swapping";
  static final String STOPPED = "stopped";
  static final String ALL_OUT = "all-out";
  static final String ALL_IN = "all-in";
  static final String STARTED = "started";
  static final String VERIFIED = "verified";
  static final String REPOSITIONING = "repositioning";
  static final String REPOSITIONED = "repositioned";
  static final String CAUGHT_UP = "caught-up";
  static final String COMMITTED = "committed";
  static final String ROLLBACK = "rollback";
  static final String NEW_BACK = "new-back";
  static final String ROLLED_BACK = "rolled-back";

  private final SwapPlan plan;
  private final StepJournal journal;
  private final CrashPoints crash;

  private DatadirSwap(SwapPlan plan, StepJournal journal, CrashPoints crash) {
    this.plan = plan;
    this.journal = journal;
    this.crash = crash;
  }

  /** The journal file of a job in {@code journalDir}. */
  static Path journalFile(Path journalDir, long jobId) {
    return journalDir.resolve(jobId + ".swap.journal");
  }

  /** The file this node's job history is saved in for a job. */
  static Path historyFile(Path journalDir, long jobId) {
    return journalDir.resolve(jobId + ".history.json");
  }

  /**
   * Starts a swap's journal before the staging folder is created: from now on a crash leaves
   * something the next agent start settles (at least, removes the staged data).
   *
   * @throws DbJobsException PREFLIGHT_REFUSED when the folders are not usable as planned
   */
  static DatadirSwap stage(SwapPlan plan, Path journalFile, CrashPoints crash) {
    Path datadir = plan.datadirPath();
    Path newData = plan.newDataPath();
    Path oldData = plan.oldDataPath();
    for (Path p : List.of(newData, oldData, journalFile.toAbsolutePath())) {
      if (p.toAbsolutePath().normalize().startsWith(datadir.toAbsolutePath().normalize())) {
        throw new DbJobsException(
            ErrorCode.PREFLIGHT_REFUSED,
            p
                + " lies inside the datadir "
                + datadir
                + ", whose entries the swap moves; set reseed.stagingDir and workDir outside it");
      }
    }
    if (Files.exists(oldData, LinkOption.NOFOLLOW_LINKS)) {
      throw new DbJobsException(
          ErrorCode.PREFLIGHT_REFUSED,
          oldData
              + " exists already (old data kept by an earlier reseed?); a swap never mixes old data"
              + " into it: move or remove it, then reseed again");
    }
    try {
      DurableFiles.deleteTree(newData); // a leftover of this very job id: never anything else's
    } catch (IOException e) {
      throw new DbJobsException(
          ErrorCode.PREFLIGHT_REFUSED, "cannot clear the staging folder " + newData + ": " + e, e);
    }
    StepJournal j = StepJournal.create(journalFile, KIND, plan);
    DatadirSwap swap = new DatadirSwap(plan, j, crash);
    try {
      Files.createDirectories(newData);
      DurableFiles.syncDirectory(newData.getParent());
    } catch (IOException e) {
      swap.abandon();
      throw new DbJobsException(
          ErrorCode.PREFLIGHT_REFUSED, "cannot create the staging folder " + newData + ": " + e, e);
    }
    crash.reach(CrashPoint.STAGE_CREATED);
    return swap;
  }

  /** Reopens a journal left by an earlier agent, to settle it. */
  static DatadirSwap resume(Path journalFile, CrashPoints crash) {
    StepJournal.Replay r = StepJournal.read(journalFile);
    if (!KIND.equals(r.kind())) {
      throw new DbJobsException(
          ErrorCode.RESTORE_FAILED, journalFile + " is a " + r.kind() + " journal, not " + KIND);
    }
    return new DatadirSwap(r.plan(SwapPlan.class), StepJournal.open(journalFile), crash);
  }

  SwapPlan plan() {
    return plan;
  }

  Path journalFile() {
    return journal.file();
  }

  /** The journal as it stands on disk. */
  StepJournal.Replay replay() {
    return StepJournal.read(journal.file());
  }

  /** Records a mark, then reaches {@code point} (null: none). */
  void mark(String mark, CrashPoint point) {
    journal.mark(mark);
    if (point != null) {
      crash.reach(point);
    }
  }

  /** Records a mark with a note (a reason, a GTID). */
  void mark(String mark, String note, CrashPoint point) {
    journal.mark(mark, null, note);
    if (point != null) {
      crash.reach(point);
    }
  }

  /** Moves every entry of the datadir into the old-data folder; the server must be stopped. */
  void moveOldOut() throws IOException {
    Path datadir = plan.datadirPath();
    Path oldData = plan.oldDataPath();
    Files.createDirectory(oldData);
    DurableFiles.syncDirectory(oldData.getParent());
    List<String> names = DurableFiles.names(datadir);
    for (int i = 0; i < names.size(); i++) {
      move(OUT, names.get(i), datadir, oldData, i + 1, names.size());
      if (i == 0) {
        crash.reach(CrashPoint.SWAP_OUT_FIRST);
      }
      crash.reachHalfway(CrashPoint.SWAP_OUT_HALF, i + 1, names.size());
    }
    List<String> left = DurableFiles.names(datadir);
    if (!left.isEmpty()) {
      throw new DbJobsException(
          ErrorCode.RESTORE_FAILED,
          "entries appeared in "
              + datadir
              + " while its old entries were moved out ("
              + left
              + "): something else writes there with the server stopped");
    }
    mark(ALL_OUT, CrashPoint.SWAP_OUT_ALL);
    LOG.info(
        "job {}: {} old entries of {} moved to {}", plan.jobId(), names.size(), datadir, oldData);
  }

  /** Moves every entry of the new-data folder into the (now empty) datadir. */
  void moveNewIn() throws IOException {
    Path datadir = plan.datadirPath();
    Path newData = plan.newDataPath();
    List<String> names = DurableFiles.names(newData);
    for (int i = 0; i < names.size(); i++) {
      move(IN, names.get(i), newData, datadir, i + 1, names.size());
      crash.reachHalfway(CrashPoint.SWAP_IN_HALF, i + 1, names.size());
    }
    mark(ALL_IN, CrashPoint.SWAP_IN_ALL);
    LOG.info("job {}: {} new entries moved into {}", plan.jobId(), names.size(), datadir);
  }

  /**
   * One journaled rename: intent forced, rename, both folders forced, completion forced. The crash
   * points between them are reached at the middle entry of a step.
   */
  private void move(String step, String name, Path from, Path to, int nth, int total)
      throws IOException {
    boolean half = CrashPoints.isHalfway(nth, total);
    journal.append(new StepJournal.Line("intent", step, name, null));
    if (half && intentPoint(step) != null) {
      crash.reach(intentPoint(step));
    }
    try {
      DurableFiles.renameNoReplace(from.resolve(name), to.resolve(name));
    } catch (java.nio.file.FileAlreadyExistsException e) {
      throw hardStop(
          "moving "
              + from.resolve(name)
              + " to "
              + to
              + " would replace the "
              + to.resolve(name)
              + " that exists there");
    }
    if (half && renamedPoint(step) != null) {
      crash.reach(renamedPoint(step));
    }
    DurableFiles.syncDirectory(from);
    DurableFiles.syncDirectory(to);
    journal.append(new StepJournal.Line("done", step, name, null));
  }

  private static CrashPoint intentPoint(String step) {
    return switch (step) {
      case OUT -> CrashPoint.SWAP_OUT_INTENT;
      case IN -> CrashPoint.SWAP_IN_INTENT;
      default -> null;
    };
  }

  private static CrashPoint renamedPoint(String step) {
    return switch (step) {
      case OUT -> CrashPoint.SWAP_OUT_RENAMED;
      case IN -> CrashPoint.SWAP_IN_RENAMED;
      default -> null;
    };
  }

  /** True when the journal records that an old entry was (or was about to be) moved out. */
  static boolean anythingMoved(StepJournal.Replay r) {
    return !movedOut(r).isEmpty();
  }

  /** The old entries the journal records as moved out, or about to be (an intent without done). */
  static Set<String> movedOut(StepJournal.Replay r) {
    Set<String> out = new LinkedHashSet<>();
    for (StepJournal.Line l : r.lines()) {
      if (OUT.equals(l.step())) {
        out.add(l.name());
      }
    }
    return out;
  }

  /**
   * Puts the old entries back, exactly those the journal says moved out; the server must be
   * stopped. Resumable: an earlier, interrupted rollback continues where its journal ends.
   *
   * @return the number of old entries put back by this call and earlier ones
   */
  int rollBackFiles() throws IOException {
    Path datadir = plan.datadirPath();
    Path newData = plan.newDataPath();
    Path oldData = plan.oldDataPath();
    StepJournal.Replay r = replay();
    if (r.has(ALL_OUT) && !r.has(NEW_BACK)) {
      // every old entry had left the datadir: whatever is there now is new data
      Files.createDirectories(newData);
      List<String> names = DurableFiles.names(datadir);
      for (int i = 0; i < names.size(); i++) {
        move(BACK_NEW, names.get(i), datadir, newData, i + 1, names.size());
        crash.reachHalfway(CrashPoint.SWAP_ROLLBACK_NEW_HALF, i + 1, names.size());
      }
      mark(NEW_BACK, CrashPoint.SWAP_ROLLBACK_NEW_ALL);
    }
    // intents too: where such an entry is now is checked below
    Set<String> movedOut = movedOut(r);
    List<String> toMove = new ArrayList<>();
    for (String name : movedOut) {
      boolean inOld = Files.exists(oldData.resolve(name), LinkOption.NOFOLLOW_LINKS);
      boolean inData = Files.exists(datadir.resolve(name), LinkOption.NOFOLLOW_LINKS);
      if (inOld && inData) {
        throw hardStop(
            "the old entry "
                + name
                + " is both in "
                + oldData
                + " and in "
                + datadir
                + "; neither is replaced");
      }
      if (!inOld && !inData) {
        throw hardStop(
            "the old entry "
                + name
                + " that the journal records as moved out is neither in "
                + oldData
                + " nor in "
                + datadir);
      }
      if (inOld) {
        toMove.add(name);
      }
    }
    for (int i = 0; i < toMove.size(); i++) {
      move(BACK_OLD, toMove.get(i), oldData, datadir, i + 1, toMove.size());
      crash.reachHalfway(CrashPoint.SWAP_ROLLBACK_OLD_HALF, i + 1, toMove.size());
    }
    List<String> left = DurableFiles.names(oldData);
    if (!left.isEmpty()) {
      throw hardStop(
          oldData
              + " still holds "
              + left
              + " after every entry the journal records was put back; they are not the swap's");
    }
    if (Files.exists(oldData, LinkOption.NOFOLLOW_LINKS)) {
      Files.delete(oldData);
      DurableFiles.syncDirectory(oldData.getParent());
    }
    mark(ROLLED_BACK, CrashPoint.SWAP_ROLLBACK_DONE);
    LOG.info(
        "job {}: {} old entries put back into {} ({} this time)",
        plan.jobId(),
        movedOut.size(),
        datadir,
        toMove.size());
    return movedOut.size();
  }

  /** After the commit mark: deletes the old data, unless it is to be kept. */
  void deleteOld(boolean keep) throws IOException {
    Path oldData = plan.oldDataPath();
    if (keep) {
      LOG.info("job {}: the old data is kept in {}", plan.jobId(), oldData);
      return;
    }
    List<String> names = DurableFiles.names(oldData);
    for (int i = 0; i < names.size(); i++) {
      DurableFiles.deleteTree(oldData.resolve(names.get(i)));
      crash.reachHalfway(CrashPoint.SWAP_OLD_DELETING, i + 1, names.size());
    }
    DurableFiles.deleteTree(oldData);
    DurableFiles.syncDirectory(oldData.getParent());
  }

  /**
   * The swap is settled (committed, rolled back, or never started): the staging folder, the saved
   * history and, last, the journal go.
   */
  void finish() throws IOException {
    DurableFiles.deleteTree(plan.newDataPath());
    DurableFiles.syncDirectory(plan.newDataPath().getParent());
    if (plan.historyPath() != null) {
      DurableFiles.deleteDurably(plan.historyPath());
    }
    journal.delete();
  }

  /** Before the swap began (receiving, preparing failed): removes the staged data and journal. */
  void abandon() {
    // a cancel interrupts the job's thread, and an interrupted thread's file channels close at
    // their first force(): the clean-up runs uninterrupted, the flag is put back after it
    boolean interrupted = Thread.interrupted();
    try {
      finish();
    } catch (IOException | RuntimeException e) {
      LOG.warn(
          "job {}: cannot remove the staged data {} or the journal {}: {}; the next agent start"
              + " removes them",
          plan.jobId(),
          plan.newData(),
          journal.file(),
          DbJobsException.describe(e));
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Releases the journal file without deleting it (a hard stop leaves it for the operator). */
  void release() {
    journal.close();
  }

  /**
   * A state the journal does not explain (a name in both places, an entry in neither): nothing more
   * is moved, the server is not started, and the journal stays for the operator.
   */
  static final class HardStop extends DbJobsException {
    private static final long serialVersionUID = 1L;

    HardStop(String message) {
      super(ErrorCode.RESTORE_FAILED, message);
    }
  }

  private HardStop hardStop(String what) {
    return new HardStop(
        "stopped, nothing more is moved: "
            + what
            + ". The journal "
            + journal.file()
            + " lists which entries moved (lines 'done'); put the old entries back into "
            + plan.datadir()
            + " by hand, then remove the journal before starting the agent");
  }
}
