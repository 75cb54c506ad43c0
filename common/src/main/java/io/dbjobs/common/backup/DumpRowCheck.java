package io.dbjobs.common.backup;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The check that a dump holds the rows it should: every table that had rows when the dump started
 * and still has rows when it ended must carry at least one {@code INSERT} in the dump. A dump that
 * lost its rows (a database named {@code --no-data} read as an option, a filter slipped onto the
 * command line, a tool that stopped writing data) then fails instead of being stored or loaded.
 *
 * <p>Tables are asked at both ends because the dump's own snapshot cannot be queried from outside:
 * a table with rows at both ends had rows at the snapshot, unless it was emptied and refilled while
 * the dump ran; then the check fails a good dump (the job can be run again) and never passes a dump
 * that lacks a table's rows.
 */
public final class DumpRowCheck {
  private static final int NAMED = 20;

  private DumpRowCheck() {}

  /**
   * @param what the dump, for the message: {@code logical backup of db1}
   * @throws DbJobsException DUMP_INCOMPLETE naming the tables without rows in the dump
   */
  public static void check(
      String what, Set<TableName> atStart, Set<TableName> atEnd, Set<TableName> inDump) {
    List<TableName> missing = new ArrayList<>();
    for (TableName t : atStart) {
      if (atEnd.contains(t) && !inDump.contains(t)) {
        missing.add(t);
      }
    }
    if (missing.isEmpty()) {
      return;
    }
    List<String> names = missing.stream().limit(NAMED).map(TableName::toString).toList();
    throw new DbJobsException(
        ErrorCode.DUMP_INCOMPLETE,
        what
            + " carries no rows for "
            + missing.size()
            + (missing.size() == 1 ? " table" : " tables")
            + " that had rows when the dump started and when it ended: "
            + String.join(", ", names)
            + (missing.size() > NAMED ? " and " + (missing.size() - NAMED) + " more" : "")
            + " ("
            + inDump.size()
            + " tables with rows in the dump); it is not stored or loaded. Look for an option"
            + " or filter that reached the dump tool (its command line is in the log), then run"
            + " the job again");
  }
}
