package io.dbjobs.common.logical;

import java.util.List;

/**
 * One object of a dumped schema, as the schema part carries it (one JSON object per line), with
 * what its {@code CREATE} statement needs to mean the same on the target: the session's sql_mode,
 * collation and time zone it was created under.
 *
 * @param kind what it is; {@link Kind#beforeRows()} says when it is created
 * @param schema its schema (for {@link Kind#DATABASE}, the database itself)
 * @param sql the {@code CREATE} statement as the source's {@code SHOW CREATE} gives it
 * @param sqlMode routines, triggers, events: the sql_mode they were created with
 * @param collationConnection views, routines, triggers, events: their {@code collation_connection}
 * @param collationDatabase routines, triggers, events: the schema's collation when created
 * @param timeZone events: the time zone of their schedule
 * @param eventStatus events: ENABLED, DISABLED or SLAVESIDE_DISABLED on the source
 * @param table tables: how their rows are loaded; null otherwise
 * @param sequence sequences: their state; null otherwise
 */
public record SchemaObject(
    Kind kind,
    String schema,
    String name,
    String sql,
    String sqlMode,
    String collationConnection,
    String collationDatabase,
    String timeZone,
    String eventStatus,
    TableLoad table,
    SequenceState sequence) {

  /**
   * Object kinds in the order they are created: routines before views (a view may call a function),
   * triggers after the rows (they must not fire on them).
   */
  public enum Kind {
    DATABASE,
    TABLE,
    SEQUENCE,
    FUNCTION,
    PROCEDURE,
    VIEW,
    TRIGGER,
    EVENT;

    /** Created before any row is loaded (databases, tables, sequences); the rest after. */
    public boolean beforeRows() {
      return this == DATABASE || this == TABLE || this == SEQUENCE;
    }
  }

  /**
   * How a table's rows are dumped and loaded.
   *
   * @param engine the storage engine
   * @param columns the columns in the rows' order (generated ones are left out: they are computed)
   * @param historyStart for a system-versioned table whose history is dumped: its row-start column
   * @param historyEnd ... and its row-end column; both null otherwise
   * @param hasData false for engines that keep no rows of their own (BLACKHOLE, FEDERATED, ...)
   */
  public record TableLoad(
      String engine,
      List<LoadColumn> columns,
      String historyStart,
      String historyEnd,
      boolean hasData) {
    public TableLoad {
      columns = List.copyOf(columns);
    }

    public boolean history() {
      return historyStart != null;
    }
  }

  /**
   * One column of a table's rows.
   *
   * @param text true for types whose binary form does not load from text (INET6, UUID, ...): they
   *     travel as text and are converted on load
   */
  public record LoadColumn(String name, boolean text) {}

  /** A sequence's next value and cycle count, as {@code SETVAL} restores them. */
  public record SequenceState(String nextNotCachedValue, long cycleCount) {}

  /** This object with another {@code CREATE} statement. */
  public SchemaObject withSql(String other) {
    return new SchemaObject(
        kind,
        schema,
        name,
        other,
        sqlMode,
        collationConnection,
        collationDatabase,
        timeZone,
        eventStatus,
        table,
        sequence);
  }

  /** "table db.t", "view db.v", "database db", for messages. */
  public String describe() {
    String k = kind.name().toLowerCase(java.util.Locale.ROOT);
    return kind == Kind.DATABASE ? k + " " + schema : k + " " + schema + "." + name;
  }
}
