package io.dbjobs.agent.task.reseed;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.db.SqlErrors;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's user schemas set aside while a logical dump is loaded in their place, so that a failed
 * load, or an agent killed at any instant, can put them back. Nothing here is binary-logged.
 *
 * <p>Before anything is dropped, every schema's tables and every view, routine, event and trigger
 * (its {@code SHOW CREATE} text with its definer, and the {@code sql_mode}, time zone and character
 * set context it was created under) are saved as the plan of a journal ({@link StepJournal}, forced
 * to disk). Then, schema by schema: a holding schema is created, the definitions are dropped
 * (MariaDB moves no table with triggers to another schema), the tables are renamed into the holding
 * schema (one atomic {@code RENAME TABLE}), and the emptied schema is dropped; each step is
 * recorded. Putting back re-creates what is missing from the saved text and renames the tables
 * back, each step recorded so that a put-back interrupted in turn resumes without dropping anything
 * it already put back.
 */
final class KeptAside {
  private static final Logger LOG = LoggerFactory.getLogger(KeptAside.class);
  static final String KIND = "logical-set-aside";
  static final String HOLD_PREFIX = "_dbjobs_old_";
  private static final String SYSTEM =
      "'mysql','information_schema','performance_schema','sys','replication_manager_schema'";

  /** Tables that RENAME TABLE moves (MariaDB sequences are tables too). */
  private static final String MOVABLE = "'BASE TABLE','SYSTEM VERSIONED','SEQUENCE'";

  private static final Pattern NAME_TOKEN = Pattern.compile("[A-Za-z0-9_]+");
  private static final Pattern SQL_MODE = Pattern.compile("[A-Z0-9_,]*");
  private static final Pattern TIME_ZONE = Pattern.compile("[A-Za-z0-9_+:/-]+");

  // marks: set-aside
  static final String DEFINITIONS_DROPPED = "definitions-dropped";
  static final String TABLES_MOVED = "tables-moved";
  static final String SCHEMA_ASIDE = "schema-aside";
  static final String ALL_ASIDE = "all-aside";
  // marks: load and after
  static final String LOADED = "loaded";
  static final String REPOSITIONING = "repositioning";
  static final String REPOSITIONED = "repositioned";
  static final String CAUGHT_UP = "caught-up";
  static final String COMMITTED = "committed";
  // marks: put back
  static final String PUTBACK = "putback";
  static final String CLEARED = "cleared";
  static final String SCHEMA_PUT_BACK = "schema-put-back";

  /**
   * A saved view, routine, event or trigger.
   *
   * @param kind {@code PROCEDURE}, {@code FUNCTION}, {@code VIEW}, {@code EVENT} or {@code TRIGGER}
   * @param sql the {@code SHOW CREATE} statement, definer included
   * @param sqlMode the sql_mode it was created under (null for views)
   * @param timeZone an event's time zone, else null
   */
  record Definition(
      String kind,
      String name,
      String sql,
      String sqlMode,
      String characterSetClient,
      String collationConnection,
      String timeZone) {}

  /** One schema set aside. */
  record Held(
      String schema,
      String hold,
      String charset,
      String collation,
      List<String> tables,
      List<Definition> definitions) {}

  /**
   * The journal's first line.
   *
   * @param primary {@code host:port} to replicate from after the load
   * @param ownServerId a flashback's own server_id, else null
   * @param channels the node's other named replication connections, recorded before anything was
   *     touched, set up again after the load (no password); null in an older journal
   */
  record AsidePlan(
      long jobId,
      String owner,
      String task,
      String primary,
      boolean keepOld,
      Long ownServerId,
      List<Held> schemas,
      List<ChannelSettings> channels) {
    String label() {
      return "job " + jobId + " (" + task + ")";
    }
  }

  private final DataSource ds;
  private final AsidePlan plan;
  private final StepJournal journal;
  private final CrashPoints crash;
  private boolean settled;

  private KeptAside(DataSource ds, AsidePlan plan, StepJournal journal, CrashPoints crash) {
    this.ds = ds;
    this.plan = plan;
    this.journal = journal;
    this.crash = crash;
  }

  /** The journal file of a job in {@code journalDir}. */
  static Path journalFile(Path journalDir, long jobId) {
    return journalDir.resolve(jobId + ".aside.journal");
  }

  AsidePlan plan() {
    return plan;
  }

  List<String> schemas() {
    return plan.schemas().stream().map(Held::schema).toList();
  }

  List<String> holds() {
    return plan.schemas().stream().map(Held::hold).toList();
  }

  /**
   * Saves every user schema's tables and definitions in a new journal, forced to disk, then sets
   * the schemas aside (none are left under their names). A failure puts back what was set aside.
   *
   * @param planned the plan without its schemas (they are read here)
   */
  static KeptAside setAside(DataSource ds, Path journalFile, AsidePlan planned, CrashPoints crash) {
    AsidePlan plan;
    try (Connection c = ds.getConnection()) {
      plan =
          new AsidePlan(
              planned.jobId(),
              planned.owner(),
              planned.task(),
              planned.primary(),
              planned.keepOld(),
              planned.ownServerId(),
              read(c, planned.jobId()),
              planned.channels());
    } catch (SQLException e) {
      throw new DbJobsException(
          ErrorCode.RESTORE_FAILED,
          "reading the node's schemas before setting them aside failed: " + SqlErrors.message(e),
          e);
    }
    KeptAside aside = new KeptAside(ds, plan, StepJournal.create(journalFile, KIND, plan), crash);
    crash.reach(CrashPoint.ASIDE_SAVED);
    try {
      aside.moveAside();
    } catch (SQLException | RuntimeException e) {
      DbJobsException failed =
          new DbJobsException(
              ErrorCode.RESTORE_FAILED,
              "setting the node's schemas aside before the load failed: "
                  + (e instanceof SQLException s ? SqlErrors.message(s) : e.getMessage()),
              e);
      try {
        aside.putBack("setting the schemas aside failed");
      } catch (RuntimeException r) {
        failed.addSuppressed(r);
      }
      throw failed;
    }
    return aside;
  }

  private static List<Held> read(Connection c, long jobId) throws SQLException {
    List<String[]> schemas = new ArrayList<>();
    try (Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT SCHEMA_NAME, DEFAULT_CHARACTER_SET_NAME, DEFAULT_COLLATION_NAME"
                    + " FROM information_schema.SCHEMATA WHERE SCHEMA_NAME NOT IN ("
                    + SYSTEM
                    + ") ORDER BY 1")) {
      while (rs.next()) {
        if (!rs.getString(1).startsWith(HOLD_PREFIX)) {
          schemas.add(new String[] {rs.getString(1), rs.getString(2), rs.getString(3)});
        }
      }
    }
    List<Held> out = new ArrayList<>();
    int i = 0;
    for (String[] sc : schemas) {
      String schema = sc[0];
      List<Definition> defs = new ArrayList<>();
      defs.addAll(
          show(
              c,
              "PROCEDURE",
              schema,
              names(c, ROUTINES + " AND ROUTINE_TYPE='PROCEDURE'", schema)));
      defs.addAll(
          show(c, "FUNCTION", schema, names(c, ROUTINES + " AND ROUTINE_TYPE='FUNCTION'", schema)));
      defs.addAll(show(c, "VIEW", schema, names(c, VIEWS, schema)));
      defs.addAll(show(c, "EVENT", schema, names(c, EVENTS, schema)));
      defs.addAll(show(c, "TRIGGER", schema, names(c, TRIGGERS, schema)));
      out.add(
          new Held(
              schema,
              HOLD_PREFIX + jobId + "_" + (++i),
              token(sc[1], "character set of " + schema),
              token(sc[2], "collation of " + schema),
              names(c, TABLES, schema),
              defs));
    }
    return out;
  }

  private static final String ROUTINES =
      "SELECT ROUTINE_NAME FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA=?";
  private static final String VIEWS =
      "SELECT TABLE_NAME FROM information_schema.VIEWS WHERE TABLE_SCHEMA=?";
  private static final String EVENTS =
      "SELECT EVENT_NAME FROM information_schema.EVENTS WHERE EVENT_SCHEMA=?";
  private static final String TRIGGERS =
      "SELECT TRIGGER_NAME FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA=?"
          + " ORDER BY EVENT_OBJECT_TABLE, ACTION_TIMING, EVENT_MANIPULATION, ACTION_ORDER";
  private static final String TABLES =
      "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA=? AND TABLE_TYPE IN ("
          + MOVABLE
          + ")";

  private static List<Definition> show(
      Connection c, String kind, String schema, List<String> objects) throws SQLException {
    List<Definition> out = new ArrayList<>();
    try (Statement s = c.createStatement()) {
      for (String name : objects) {
        try (ResultSet rs =
            s.executeQuery("SHOW CREATE " + kind + " " + q(schema) + "." + q(name))) {
          if (!rs.next()) {
            throw new SQLException("SHOW CREATE " + kind + " " + schema + "." + name + " is empty");
          }
          ResultSetMetaData md = rs.getMetaData();
          out.add(
              new Definition(
                  kind,
                  name,
                  rs.getString(statementColumn(kind)),
                  column(rs, md, "sql_mode"),
                  column(rs, md, "character_set_client"),
                  column(rs, md, "collation_connection"),
                  column(rs, md, "time_zone")));
        }
      }
    }
    return out;
  }

  private static int statementColumn(String kind) {
    return switch (kind) {
      case "VIEW" -> 2;
      case "EVENT" -> 4;
      default -> 3; // PROCEDURE, FUNCTION, TRIGGER
    };
  }

  private static String column(ResultSet rs, ResultSetMetaData md, String label)
      throws SQLException {
    for (int i = 1; i <= md.getColumnCount(); i++) {
      if (md.getColumnLabel(i).equalsIgnoreCase(label)) {
        return rs.getString(i);
      }
    }
    return null;
  }

  private static List<String> names(Connection c, String sql, String schema) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, schema);
      List<String> out = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(rs.getString(1));
        }
      }
      return out;
    }
  }

  private void moveAside() throws SQLException {
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      s.execute("SET SESSION sql_log_bin=0");
      List<Held> all = plan.schemas();
      for (int i = 0; i < all.size(); i++) {
        Held h = all.get(i);
        s.execute(
            "CREATE DATABASE IF NOT EXISTS "
                + q(h.hold())
                + " CHARACTER SET "
                + h.charset()
                + " COLLATE "
                + h.collation()
                + " COMMENT 'dbjobs: old contents set aside by job "
                + plan.jobId()
                + "'");
        for (Definition d : h.definitions()) {
          s.execute("DROP " + d.kind() + " IF EXISTS " + q(h.schema()) + "." + q(d.name()));
        }
        mark(
            DEFINITIONS_DROPPED,
            h.schema(),
            null,
            i == 0 ? CrashPoint.ASIDE_DEFINITIONS_DROPPED : null);
        List<String> tables = names(c, TABLES, h.schema());
        if (!tables.isEmpty()) {
          s.execute("RENAME TABLE " + renames(tables, h.schema(), h.hold()));
        }
        mark(TABLES_MOVED, h.schema(), null, i == 0 ? CrashPoint.ASIDE_TABLES_MOVED : null);
        List<String> left = leftIn(c, h.schema());
        if (!left.isEmpty()) {
          throw new DbJobsException(
              ErrorCode.RESTORE_FAILED,
              "schema "
                  + h.schema()
                  + " still holds "
                  + left
                  + " after its saved tables and definitions were set aside (created meanwhile?);"
                  + " it is not dropped");
        }
        s.execute("DROP DATABASE " + q(h.schema()));
        mark(SCHEMA_ASIDE, h.schema(), null, i == 0 ? CrashPoint.ASIDE_SCHEMA_DONE : null);
        LOG.info(
            "{}: schema {} set aside as {} ({} tables, {} views/routines/events/triggers)",
            plan.label(),
            h.schema(),
            h.hold(),
            tables.size(),
            h.definitions().size());
      }
      journal.mark(ALL_ASIDE);
      crash.reach(CrashPoint.ASIDE_ALL);
    }
  }

  private static String renames(List<String> tables, String from, String to) {
    List<String> pairs = new ArrayList<>();
    for (String t : tables) {
      pairs.add(q(from) + "." + q(t) + " TO " + q(to) + "." + q(t));
    }
    return String.join(", ", pairs);
  }

  /** What a schema still holds: tables of any kind, routines, events. */
  private static List<String> leftIn(Connection c, String schema) throws SQLException {
    List<String> left = new ArrayList<>();
    left.addAll(
        names(c, "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA=?", schema));
    left.addAll(names(c, ROUTINES, schema));
    left.addAll(names(c, EVENTS, schema));
    return left;
  }

  private void mark(String mark, String schema, String note, CrashPoint point) {
    journal.mark(mark, schema, note);
    if (point != null) {
      crash.reach(point);
    }
  }

  /** The load finished, its dump's position is {@code gtid}. */
  void loaded(String gtid) {
    mark(LOADED, null, gtid, CrashPoint.ASIDE_LOADED);
  }

  /**
   * Drops whatever was loaded under the original names and puts the old schemas back, then forgets
   * the journal: the load's clean-up. Safe to call again (the load's clean-up and the handler may
   * both).
   */
  void putBackAfterFailedLoad() {
    putBack("the load failed");
  }

  /** As {@link #putBackAfterFailedLoad}, with the reason recorded in the journal. */
  synchronized void putBack(String reason) {
    if (settled) {
      return;
    }
    StepJournal.Replay r = StepJournal.read(journal.file());
    if (!r.has(PUTBACK)) {
      mark(PUTBACK, null, reason, CrashPoint.ASIDE_PUTBACK_BEGUN);
    }
    boolean loadBegun = r.has(ALL_ASIDE);
    List<Held> all = plan.schemas();
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      s.execute("SET SESSION sql_log_bin=0");
      Session saved = Session.save(s);
      try {
        for (int i = 0; i < all.size(); i++) {
          Held h = all.get(i);
          if (r.has(SCHEMA_PUT_BACK, h.schema())) {
            continue;
          }
          putBack(c, s, h, loadBegun && !r.has(CLEARED, h.schema()), i == 0);
          saved.restore(s);
        }
        if (loadBegun) {
          // schemas the load created that did not exist before
          Set<String> before = new HashSet<>(schemas());
          for (String extra : userSchemas(s)) {
            if (!before.contains(extra)) {
              s.execute("DROP DATABASE " + q(extra));
              LOG.info("{}: dropped schema {}, created by the load", plan.label(), extra);
            }
          }
        }
      } finally {
        restoreOrEvict(c, s, saved);
      }
    } catch (SQLException e) {
      throw new DbJobsException(
          ErrorCode.RESTORE_FAILED,
          "putting the old schemas back failed: "
              + SqlErrors.message(e)
              + "; they are in the "
              + HOLD_PREFIX
              + plan.jobId()
              + "_* schemas, and the journal "
              + journal.file()
              + " says which steps were done (the next agent start resumes)",
          e);
    }
    journal.delete();
    settled = true;
    LOG.warn("{}: old schemas {} put back ({})", plan.label(), schemas(), reason);
  }

  private void putBack(Connection c, Statement s, Held h, boolean clear, boolean first)
      throws SQLException {
    if (clear) {
      s.execute("DROP DATABASE IF EXISTS " + q(h.schema()));
      mark(CLEARED, h.schema(), null, first ? CrashPoint.ASIDE_PUTBACK_CLEARED : null);
    }
    s.execute(
        "CREATE DATABASE IF NOT EXISTS "
            + q(h.schema())
            + " CHARACTER SET "
            + h.charset()
            + " COLLATE "
            + h.collation());
    boolean holdExists = !names(c, SCHEMA_EXISTS, h.hold()).isEmpty();
    if (holdExists) {
      List<String> tables = names(c, TABLES, h.hold());
      Set<String> there = new HashSet<>(names(c, TABLES, h.schema()));
      List<String> clash = tables.stream().filter(there::contains).toList();
      if (!clash.isEmpty()) {
        throw new DbJobsException(
            ErrorCode.RESTORE_FAILED,
            "tables "
                + clash
                + " are both in "
                + h.schema()
                + " and in "
                + h.hold()
                + "; nothing is replaced: keep one of each by hand, then restart the agent");
      }
      if (!tables.isEmpty()) {
        s.execute("RENAME TABLE " + renames(tables, h.hold(), h.schema()));
      }
    }
    if (first) {
      crash.reach(CrashPoint.ASIDE_PUTBACK_TABLES);
    }
    s.execute("USE " + q(h.schema()));
    recreate(c, s, h);
    if (holdExists) {
      List<String> left = leftIn(c, h.hold());
      if (!left.isEmpty()) {
        throw new DbJobsException(
            ErrorCode.RESTORE_FAILED,
            h.hold() + " still holds " + left + " after its tables went back; it is not dropped");
      }
      s.execute("DROP DATABASE " + q(h.hold()));
    }
    mark(SCHEMA_PUT_BACK, h.schema(), null, first ? CrashPoint.ASIDE_PUTBACK_SCHEMA : null);
  }

  private static final String SCHEMA_EXISTS =
      "SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME=?";

  /**
   * Re-creates the saved definitions that do not exist, each under the sql_mode, time zone and
   * character set context it was made in; a view that needs another one not yet re-created fails on
   * the first pass and is retried until every object exists or a pass makes no progress.
   */
  private static void recreate(Connection c, Statement s, Held h) throws SQLException {
    List<Definition> todo = new ArrayList<>();
    for (Definition d : h.definitions()) {
      if (!exists(c, h.schema(), d)) {
        todo.add(d);
      }
    }
    while (!todo.isEmpty()) {
      List<Definition> failed = new ArrayList<>();
      SQLException last = null;
      for (Definition d : todo) {
        try {
          applyContext(s, d);
          s.execute(d.sql());
        } catch (SQLException e) {
          failed.add(d);
          last = e;
        }
      }
      if (failed.size() == todo.size()) {
        throw last;
      }
      todo = failed;
    }
  }

  private static boolean exists(Connection c, String schema, Definition d) throws SQLException {
    String sql =
        switch (d.kind()) {
          case "PROCEDURE", "FUNCTION" ->
              "SELECT 1 FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA=? AND ROUTINE_NAME=?"
                  + " AND ROUTINE_TYPE='"
                  + d.kind()
                  + "'";
          case "VIEW" ->
              "SELECT 1 FROM information_schema.VIEWS WHERE TABLE_SCHEMA=? AND TABLE_NAME=?";
          case "EVENT" ->
              "SELECT 1 FROM information_schema.EVENTS WHERE EVENT_SCHEMA=? AND EVENT_NAME=?";
          case "TRIGGER" ->
              "SELECT 1 FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA=? AND TRIGGER_NAME=?";
          default -> throw new IllegalStateException("unknown kind " + d.kind());
        };
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, schema);
      ps.setString(2, d.name());
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next();
      }
    }
  }

  /**
   * Sets the session as the definition was created: sql_mode, an event's time zone, the collation
   * of the connection, and the client character set when the text is ASCII (the driver sends UTF-8;
   * for other text the client character set stays the connection's, so the text arrives unchanged).
   */
  static List<String> contextStatements(Definition d) {
    List<String> out = new ArrayList<>();
    if (d.sqlMode() != null) {
      out.add("SET SESSION sql_mode = '" + checked(SQL_MODE, d.sqlMode(), "sql_mode") + "'");
    }
    if (d.timeZone() != null) {
      out.add("SET SESSION time_zone = '" + checked(TIME_ZONE, d.timeZone(), "time_zone") + "'");
    }
    if (d.characterSetClient() != null && d.sql().chars().allMatch(ch -> ch < 128)) {
      out.add(
          "SET SESSION character_set_client = "
              + token(d.characterSetClient(), "character_set_client"));
    }
    if (d.collationConnection() != null) {
      out.add(
          "SET SESSION collation_connection = "
              + token(d.collationConnection(), "collation_connection"));
    }
    return out;
  }

  private static void applyContext(Statement s, Definition d) throws SQLException {
    for (String q : contextStatements(d)) {
      s.execute(q);
    }
  }

  /** The connection's own session settings, put back after definitions were re-created. */
  private record Session(String sqlMode, String timeZone, String charset, String collation) {
    static Session save(Statement s) throws SQLException {
      try (ResultSet rs =
          s.executeQuery(
              "SELECT @@SESSION.sql_mode, @@SESSION.time_zone, @@SESSION.character_set_client,"
                  + " @@SESSION.collation_connection")) {
        rs.next();
        return new Session(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4));
      }
    }

    void restore(Statement s) throws SQLException {
      s.execute(
          "SET SESSION sql_mode = '"
              + checked(SQL_MODE, sqlMode, "sql_mode")
              + "', time_zone = '"
              + checked(TIME_ZONE, timeZone, "time_zone")
              + "', character_set_client = "
              + token(charset, "character_set_client")
              + ", collation_connection = "
              + token(collation, "collation_connection"));
    }
  }

  /** Puts the pooled connection's session back, or takes it out of the pool. */
  private void restoreOrEvict(Connection c, Statement s, Session saved) {
    try {
      saved.restore(s);
    } catch (SQLException e) {
      LOG.warn(
          "{}: cannot put the connection's session settings back ({}); closing it",
          plan.label(),
          SqlErrors.message(e));
      if (ds instanceof com.zaxxer.hikari.HikariDataSource h) {
        h.evictConnection(c);
      }
    }
  }

  private static List<String> userSchemas(Statement s) throws SQLException {
    List<String> out = new ArrayList<>();
    try (ResultSet rs =
        s.executeQuery(
            "SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME NOT IN ("
                + SYSTEM
                + ")")) {
      while (rs.next()) {
        if (!rs.getString(1).startsWith(HOLD_PREFIX)) {
          out.add(rs.getString(1));
        }
      }
    }
    return out;
  }

  /**
   * After {@link #loaded}: repositions, waits for the catch-up, drops the old schemas (or keeps
   * them).
   *
   * @return what it did, for the job's result
   * @throws DbJobsException when repositioning or catching up failed: the loaded data stays, the
   *     old schemas are kept (the message names them)
   */
  String finish(PhysicalSwap.Rejoin rejoin) throws InterruptedException {
    PhysicalSwap.Ended e = finish(rejoin, false);
    if (!e.finished()) {
      throw new DbJobsException(e.code(), e.text());
    }
    return e.text();
  }

  private PhysicalSwap.Ended finish(PhysicalSwap.Rejoin rejoin, boolean settling)
      throws InterruptedException {
    StepJournal.Replay r = StepJournal.read(journal.file());
    String gtid = r.note(LOADED);
    String caught;
    try {
      if (r.has(REPOSITIONED)
          || (settling && r.has(REPOSITIONING) && rejoin.pointsAt(plan.primary()))) {
        rejoin.resume(plan.primary());
      } else {
        mark(REPOSITIONING, null, null, CrashPoint.ASIDE_REPOSITIONING);
        rejoin.reposition(plan.primary(), gtid);
      }
      if (!r.has(REPOSITIONED)) {
        journal.mark(REPOSITIONED);
      }
      caught = rejoin.catchUp(plan.primary());
      journal.mark(CAUGHT_UP);
    } catch (RuntimeException | InterruptedException ex) {
      DbJobsException d = DbJobsException.from(ex, "repositioning after the load");
      String text =
          d.getMessage() + "; the loaded data stays, the old schemas are kept as " + holds();
      journal.delete();
      settled = true;
      if (ex instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      LOG.warn("{}: {}", plan.label(), text);
      return new PhysicalSwap.Ended(false, d.code(), text);
    }
    return commit(
        "replicating from "
            + plan.primary()
            + (Repositioning.isBinlogNote(gtid) ? " from " : " after GTID ")
            + gtid
            + ", "
            + caught);
  }

  private PhysicalSwap.Ended commit(String what) {
    if (!StepJournal.read(journal.file()).has(COMMITTED)) {
      mark(COMMITTED, null, null, CrashPoint.ASIDE_COMMITTED);
    }
    if (!plan.keepOld()) {
      try (Connection c = ds.getConnection();
          Statement s = c.createStatement()) {
        s.execute("SET SESSION sql_log_bin=0");
        for (Held h : plan.schemas()) {
          s.execute("DROP DATABASE IF EXISTS " + q(h.hold()));
        }
      } catch (SQLException e) {
        throw new DbJobsException(
            ErrorCode.INTERNAL,
            "the reseed succeeded but dropping the old schemas failed: "
                + SqlErrors.message(e)
                + "; the next agent start retries",
            e);
      }
    }
    journal.delete();
    settled = true;
    return PhysicalSwap.Ended.finished(
        what
            + (plan.keepOld()
                ? "; the old schemas are kept as " + holds()
                : "; the old schemas were dropped"));
  }

  /**
   * Settles a set-aside an earlier agent left: finishes it when the load had completed (the
   * journal's {@code loaded} mark), puts the old schemas back otherwise. The server must answer.
   */
  static PhysicalSwap.Ended settle(
      DataSource ds, Path journalFile, PhysicalSwap.Rejoin rejoin, CrashPoints crash)
      throws InterruptedException {
    StepJournal.Replay r = StepJournal.read(journalFile);
    if (!KIND.equals(r.kind())) {
      throw new DbJobsException(
          ErrorCode.RESTORE_FAILED, journalFile + " is a " + r.kind() + " journal, not " + KIND);
    }
    KeptAside aside =
        new KeptAside(ds, r.plan(AsidePlan.class), StepJournal.open(journalFile), crash);
    String at = r.lastMark();
    if (r.has(COMMITTED)) {
      return aside.commit("the load had completed, replication was repositioned and caught up");
    }
    if (r.has(PUTBACK)) {
      return aside.rolledBack(r.note(PUTBACK));
    }
    if (r.has(LOADED)) {
      LOG.warn(
          "{}: the load had completed (journal ends at '{}'); repositioning and finishing",
          aside.plan.label(),
          at);
      return aside.finish(rejoin, true);
    }
    return aside.rolledBack(
        r.has(ALL_ASIDE)
            ? "the agent stopped during the load (after '" + at + "')"
            : "the agent stopped while setting the old schemas aside (after '" + at + "')");
  }

  private PhysicalSwap.Ended rolledBack(String reason) {
    int definitions = plan.schemas().stream().mapToInt(h -> h.definitions().size()).sum();
    putBack(reason);
    return new PhysicalSwap.Ended(
        false,
        ErrorCode.ROLLED_BACK,
        "rolled back (the old schemas serve again): "
            + reason
            + "; what was loaded was dropped and the old schemas "
            + schemas()
            + " were put back with their "
            + definitions
            + " views, routines, events and triggers");
  }

  /** An identifier, backtick-quoted, backticks doubled. */
  static String q(String identifier) {
    return "`" + identifier.replace("`", "``") + "`";
  }

  /** A plain name token (character set, collation), refused when it is anything else. */
  private static String token(String value, String what) {
    return checked(NAME_TOKEN, value, what);
  }

  private static String checked(Pattern p, String value, String what) {
    if (value == null || !p.matcher(value).matches()) {
      throw new DbJobsException(
          ErrorCode.RESTORE_FAILED, "unexpected " + what + " '" + value + "' read from the server");
    }
    return value;
  }
}
