package io.dbjobs.agent.task.reseed.load;

import com.mysql.cj.jdbc.JdbcStatement;
import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.db.SqlErrors;
import io.dbjobs.common.logical.SchemaObject;
import io.dbjobs.common.logical.Sql;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One session of a parts load: takes a table at a time ({@link StagedParts#nextTable}) and loads
 * all its chunks with one {@code LOAD DATA LOCAL INFILE} statement whose input is the chunks one
 * after the other ({@link ChunkInput}): one statement into an empty table is InnoDB's bulk load.
 * The statement must load exactly the rows the dump counted, without a warning (LOAD DATA LOCAL
 * turns errors into warnings); anything else fails the load, naming the table. A table created
 * without its plain secondary keys ({@link DeferredKeys}) gets them right after its rows.
 */
final class TableLoader implements Runnable {
  private final StagedParts staged;
  private final LoaderSessions sessions;
  private final boolean history;
  private final Duration idle;
  private final Map<String, DeferredKeys> deferred;

  /**
   * @param deferred tables created without their plain secondary keys, by {@code schema\0table}:
   *     the keys are added once the table's rows are in
   */
  TableLoader(
      StagedParts staged,
      LoaderSessions sessions,
      boolean history,
      Duration idle,
      Map<String, DeferredKeys> deferred) {
    this.staged = staged;
    this.sessions = sessions;
    this.history = history;
    this.idle = idle;
    this.deferred = deferred;
  }

  @Override
  public void run() {
    Connection c = null;
    try {
      StagedParts.TableRows t;
      while ((t = staged.nextTable()) != null) {
        if (c == null) {
          c = sessions.open(history);
        }
        staged.loaded(t, load(c, t));
      }
    } catch (DbJobsException e) {
      staged.fail(e);
    } catch (SQLException e) {
      staged.fail(
          new DbJobsException(
              SqlErrors.classify(e), "a load session failed: " + SqlErrors.message(e), e));
    } catch (InterruptedException e) {
      staged.fail(new DbJobsException(ErrorCode.CANCELLED, "the load was interrupted", e));
    } catch (RuntimeException e) {
      staged.fail(new DbJobsException(ErrorCode.INTERNAL, "a load session failed: " + e, e));
    } finally {
      if (c != null) {
        sessions.close(c);
      }
    }
  }

  private long load(Connection c, StagedParts.TableRows t) {
    long loaded;
    try (Statement s = c.createStatement();
        ChunkInput in = new ChunkInput(staged, t, idle)) {
      s.unwrap(JdbcStatement.class).setLocalInfileInputStream(in);
      loaded = s.executeLargeUpdate(statement(t.object));
      SQLWarning w = s.getWarnings();
      if (w != null) {
        throw new DbJobsException(
            ErrorCode.RESTORE_FAILED,
            "loading the rows of " + t.label() + " gave warnings: " + warnings(w));
      }
    } catch (SQLException | java.io.IOException e) {
      DbJobsException cause = staged.failure();
      if (cause != null) {
        throw cause;
      }
      throw new DbJobsException(
          e instanceof SQLException q ? SqlErrors.classify(q) : ErrorCode.RESTORE_FAILED,
          "loading the rows of "
              + t.label()
              + " failed: "
              + (e instanceof SQLException q ? SqlErrors.message(q) : e.getMessage()),
          e);
    }
    if (loaded != t.dumpedRows) {
      throw new DbJobsException(
          ErrorCode.RESTORE_FAILED,
          t.label() + ": " + t.dumpedRows + " rows were dumped, " + loaded + " loaded");
    }
    DeferredKeys keys = deferred.get(t.schema + "\u0000" + t.table);
    if (keys != null) {
      try (Statement s = c.createStatement()) {
        s.execute(keys.alter(Sql.id(t.schema, t.table)));
      } catch (SQLException e) {
        throw new DbJobsException(
            ErrorCode.RESTORE_FAILED,
            "adding the secondary keys of "
                + t.label()
                + " after its rows failed: "
                + SqlErrors.message(e),
            e);
      }
    }
    return loaded;
  }

  /** {@code LOAD DATA LOCAL INFILE ... (columns) SET text columns}. */
  static String statement(SchemaObject table) {
    SchemaObject.TableLoad load = table.table();
    List<String> cols = new ArrayList<>();
    List<String> sets = new ArrayList<>();
    int i = 0;
    for (SchemaObject.LoadColumn col : load.columns()) {
      i++;
      if (col.text()) {
        cols.add("@c" + i);
        sets.add(Sql.id(col.name()) + " = CONVERT(@c" + i + " USING utf8mb4)");
      } else {
        cols.add(Sql.id(col.name()));
      }
    }
    if (load.history()) {
      cols.add(Sql.id(load.historyStart()));
      cols.add(Sql.id(load.historyEnd()));
    }
    return "LOAD DATA LOCAL INFILE 'dbjobs-rows' INTO TABLE "
        + Sql.id(table.schema(), table.name())
        + " CHARACTER SET binary ("
        + String.join(", ", cols)
        + ")"
        + (sets.isEmpty() ? "" : " SET " + String.join(", ", sets));
  }

  private static String warnings(SQLWarning w) {
    List<String> out = new ArrayList<>();
    for (SQLWarning x = w; x != null && out.size() < 3; x = x.getNextWarning()) {
      out.add(x.getErrorCode() + " " + x.getMessage());
    }
    return String.join("; ", out);
  }
}
