package io.dbjobs.agent.task.reseed;

import java.util.Arrays;
import java.util.Optional;

/**
 * The named steps of a reseed at which a test may make the agent die ({@link CrashPoints}). Each
 * name is what {@code -Ddbjobs.test.crashAt=<name>} takes; {@link #settlesBy()} says what the
 * start-time settle does after a crash there, and is what the tests assert. The list and its order
 * are documented in {@code docs/crash-safety.md}.
 */
public enum CrashPoint {
  // physical: before the swap (only the staging folder exists)
  STAGE_CREATED("stage.created", Group.STAGING, Settle.NOTHING_MOVED),
  STAGE_RECEIVED("stage.received", Group.STAGING, Settle.NOTHING_MOVED),
  STAGE_PREPARED("stage.prepared", Group.STAGING, Settle.NOTHING_MOVED),

  // physical: the swap; the server is still up at swap.begun
  SWAP_BEGUN("swap.begun", Group.SWAP, Settle.ROLL_BACK),
  SWAP_STOPPED("swap.stopped", Group.SWAP, Settle.ROLL_BACK),
  SWAP_OUT_FIRST("swap.out.first", Group.SWAP, Settle.ROLL_BACK),
  SWAP_OUT_INTENT("swap.out.intent", Group.SWAP, Settle.ROLL_BACK),
  SWAP_OUT_RENAMED("swap.out.renamed", Group.SWAP, Settle.ROLL_BACK),
  SWAP_OUT_HALF("swap.out.half", Group.SWAP, Settle.ROLL_BACK),
  SWAP_OUT_ALL("swap.out.all", Group.SWAP, Settle.ROLL_BACK),
  SWAP_IN_INTENT("swap.in.intent", Group.SWAP, Settle.ROLL_BACK),
  SWAP_IN_RENAMED("swap.in.renamed", Group.SWAP, Settle.ROLL_BACK),
  SWAP_IN_HALF("swap.in.half", Group.SWAP, Settle.ROLL_BACK),
  SWAP_IN_ALL("swap.in.all", Group.SWAP, Settle.ROLL_BACK),
  SWAP_STARTED("swap.started", Group.SWAP, Settle.ROLL_BACK),
  SWAP_VERIFIED("swap.verified", Group.SWAP, Settle.FINISH),
  SWAP_REPOSITIONING("swap.repositioning", Group.SWAP, Settle.FINISH),
  SWAP_REPOSITIONED("swap.repositioned", Group.SWAP, Settle.FINISH),
  SWAP_CAUGHT_UP("swap.caught-up", Group.SWAP, Settle.FINISH),
  SWAP_COMMITTED("swap.committed", Group.SWAP, Settle.FINISH),
  SWAP_OLD_DELETING("swap.old.deleting", Group.SWAP, Settle.FINISH),

  // physical: a rollback of the swap (the new data did not serve)
  SWAP_ROLLBACK_BEGUN("swap.rollback.begun", Group.SWAP_ROLLBACK, Settle.ROLL_BACK),
  SWAP_ROLLBACK_NEW_HALF("swap.rollback.new.half", Group.SWAP_ROLLBACK, Settle.ROLL_BACK),
  SWAP_ROLLBACK_NEW_ALL("swap.rollback.new.all", Group.SWAP_ROLLBACK, Settle.ROLL_BACK),
  SWAP_ROLLBACK_OLD_HALF("swap.rollback.old.half", Group.SWAP_ROLLBACK, Settle.ROLL_BACK),
  SWAP_ROLLBACK_DONE("swap.rollback.done", Group.SWAP_ROLLBACK, Settle.ROLL_BACK),

  // logical: setting the old schemas aside, loading, putting them back
  ASIDE_SAVED("aside.saved", Group.ASIDE, Settle.ROLL_BACK),
  ASIDE_DEFINITIONS_DROPPED("aside.definitions-dropped", Group.ASIDE, Settle.ROLL_BACK),
  ASIDE_TABLES_MOVED("aside.tables-moved", Group.ASIDE, Settle.ROLL_BACK),
  ASIDE_SCHEMA_DONE("aside.schema-done", Group.ASIDE, Settle.ROLL_BACK),
  ASIDE_ALL("aside.all", Group.ASIDE, Settle.ROLL_BACK),
  ASIDE_LOADING("aside.loading", Group.ASIDE, Settle.ROLL_BACK),
  ASIDE_LOAD_ENDED("aside.load-ended", Group.ASIDE, Settle.ROLL_BACK),
  ASIDE_LOADED("aside.loaded", Group.ASIDE, Settle.FINISH),
  ASIDE_REPOSITIONING("aside.repositioning", Group.ASIDE, Settle.FINISH),
  ASIDE_COMMITTED("aside.committed", Group.ASIDE, Settle.FINISH),
  ASIDE_PUTBACK_BEGUN("aside.putback.begun", Group.ASIDE_PUTBACK, Settle.ROLL_BACK),
  ASIDE_PUTBACK_CLEARED("aside.putback.cleared", Group.ASIDE_PUTBACK, Settle.ROLL_BACK),
  ASIDE_PUTBACK_TABLES("aside.putback.tables", Group.ASIDE_PUTBACK, Settle.ROLL_BACK),
  ASIDE_PUTBACK_SCHEMA("aside.putback.schema", Group.ASIDE_PUTBACK, Settle.ROLL_BACK);

  /** Where a point lies. */
  public enum Group {
    /** receiving or preparing: the old data is untouched, new data is staged */
    STAGING,
    /** the datadir swap and what follows it until the old data is deleted */
    SWAP,
    /** putting the old datadir back after the new data did not serve */
    SWAP_ROLLBACK,
    /** a logical reseed: set-aside, load, repositioning, commit */
    ASIDE,
    /** putting set-aside schemas back after a failed load */
    ASIDE_PUTBACK
  }

  /** What the start-time settle does after a crash at a point. */
  public enum Settle {
    /** the staged new data is removed; the old data was never touched and serves */
    NOTHING_MOVED,
    /** the old data is put back exactly and serves; the job fails with ROLLED_BACK */
    ROLL_BACK,
    /** the new data is verified again, repositioned, caught up; the job succeeds */
    FINISH
  }

  private final String id;
  private final Group group;
  private final Settle settlesBy;

  CrashPoint(String id, Group group, Settle settlesBy) {
    this.id = id;
    this.group = group;
    this.settlesBy = settlesBy;
  }

  /** The name a test gives {@code -Ddbjobs.test.crashAt}. */
  public String id() {
    return id;
  }

  public Group group() {
    return group;
  }

  /** What the settle at the next start does after a crash here. */
  public Settle settlesBy() {
    return settlesBy;
  }

  public static Optional<CrashPoint> byId(String id) {
    return Arrays.stream(values()).filter(p -> p.id.equals(id)).findFirst();
  }

  @Override
  public String toString() {
    return id;
  }
}
