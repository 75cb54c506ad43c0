package io.dbjobs.common.logical;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads what a dump carries besides rows, from the source's {@code SHOW CREATE} statements and
 * {@code information_schema}: schemas, tables (with how their rows are dumped and loaded), views,
 * routines, triggers, events and sequences (with their state). Names go into statements quoted
 * ({@link Sql#id}) or as bound parameters, never spliced as literals.
 */
final class SchemaReader {
  /** Schemas never dumped: the server's own and dbjobs'. */
  static final Set<String> SYSTEM =
      Set.of(
          "mysql", "information_schema", "performance_schema", "sys", "replication_manager_schema");

  static final String HOLD_PREFIX = "_dbjobs_old_";

  /** Types that load from their text (or raw binary) form as they are dumped. */
  private static final Set<String> DIRECT =
      Set.of(
          "tinyint",
          "smallint",
          "mediumint",
          "int",
          "bigint",
          "decimal",
          "float",
          "double",
          "bit",
          "year",
          "date",
          "datetime",
          "timestamp",
          "time",
          "char",
          "varchar",
          "binary",
          "varbinary",
          "tinyblob",
          "blob",
          "mediumblob",
          "longblob",
          "tinytext",
          "text",
          "mediumtext",
          "longtext",
          "enum",
          "set",
          "json",
          "geometry",
          "point",
          "linestring",
          "polygon",
          "multipoint",
          "multilinestring",
          "multipolygon",
          "geometrycollection");

  private static final Set<String> INTEGER =
      Set.of("tinyint", "smallint", "mediumint", "int", "bigint");

  private static final Pattern PERIOD =
      Pattern.compile(
          "PERIOD FOR SYSTEM_TIME \\(`((?:[^`]|``)+)`, `((?:[^`]|``)+)`\\)",
          Pattern.CASE_INSENSITIVE);

  private SchemaReader() {}

  /** The schemas to dump: {@code wanted} (each must exist), or every user schema. */
  static List<String> schemas(Connection c, List<String> wanted) throws SQLException {
    List<String> existing = new ArrayList<>();
    try (Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery("SELECT SCHEMA_NAME FROM information_schema.SCHEMATA ORDER BY 1")) {
      while (rs.next()) {
        existing.add(rs.getString(1));
      }
    }
    List<String> user =
        existing.stream()
            .filter(n -> !SYSTEM.contains(n.toLowerCase(Locale.ROOT)))
            .filter(n -> !n.startsWith(HOLD_PREFIX))
            .toList();
    if (wanted.isEmpty()) {
      if (user.isEmpty()) {
        throw new DbJobsException(
            ErrorCode.NOT_FOUND, "the source has no user schema to dump (only " + existing + ")");
      }
      return user;
    }
    for (String w : wanted) {
      if (!user.contains(w)) {
        throw new DbJobsException(
            ErrorCode.BAD_PARAMETER,
            "schema '"
                + w
                + "' is not a user schema of the source (its user schemas: "
                + user
                + ")");
      }
    }
    return List.copyOf(wanted);
  }

  /** Tables, views and sequences of {@code schemas}, biggest tables first. */
  static List<SourceTable> tables(Connection c, List<String> schemas) throws SQLException {
    List<SourceTable> out = new ArrayList<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT TABLE_NAME, TABLE_TYPE, ENGINE, COALESCE(DATA_LENGTH, 0)"
                + " FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?")) {
      for (String schema : schemas) {
        ps.setString(1, schema);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            out.add(
                new SourceTable(
                    schema, rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4)));
          }
        }
      }
    }
    out.sort(
        (a, b) ->
            a.dataLength() != b.dataLength()
                ? Long.compare(b.dataLength(), a.dataLength())
                : a.label().compareTo(b.label()));
    return out;
  }

  /** A table's definition and how its rows are dumped; {@code warnings} get what is not carried. */
  static DumpTable table(Connection c, SourceTable t, List<String> warnings) throws SQLException {
    String create = showCreate(c, "TABLE", t, 2);
    List<SchemaObject.LoadColumn> columns = new ArrayList<>();
    String chunkColumn = null;
    Map<String, String> types = new LinkedHashMap<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT COLUMN_NAME, DATA_TYPE, IS_GENERATED FROM information_schema.COLUMNS"
                + " WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION")) {
      ps.setString(1, t.schema());
      ps.setString(2, t.name());
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String name = rs.getString(1);
          String type = rs.getString(2).toLowerCase(Locale.ROOT);
          types.put(name, type);
          if (!"ALWAYS".equalsIgnoreCase(rs.getString(3))) {
            columns.add(new SchemaObject.LoadColumn(name, !DIRECT.contains(type)));
          }
        }
      }
    }
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT COLUMN_NAME FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ?"
                + " AND TABLE_NAME = ? AND INDEX_NAME = 'PRIMARY' AND SEQ_IN_INDEX = 1")) {
      ps.setString(1, t.schema());
      ps.setString(2, t.name());
      try (ResultSet rs = ps.executeQuery()) {
        if (rs.next() && INTEGER.contains(types.getOrDefault(rs.getString(1), ""))) {
          chunkColumn = rs.getString(1);
        }
      }
    }
    String start = null;
    String end = null;
    if ("SYSTEM VERSIONED".equals(t.type())) {
      Matcher m = PERIOD.matcher(create);
      if (m.find()) {
        String s = m.group(1).replace("``", "`");
        String e = m.group(2).replace("``", "`");
        if (INTEGER.contains(types.getOrDefault(s, ""))) {
          warnings.add(
              "the history of "
                  + t.label()
                  + " is not carried: it is versioned by transaction id, which only its own server"
                  + " can interpret; its current rows are");
        } else {
          start = s;
          end = e;
        }
      } else {
        start = "row_start";
        end = "row_end";
      }
    }
    if (!t.hasData()) {
      warnings.add(
          "the rows of "
              + t.label()
              + " are not copied: its engine "
              + t.engine()
              + " keeps them elsewhere or nowhere; the table is created empty");
    }
    SchemaObject o =
        new SchemaObject(
            SchemaObject.Kind.TABLE,
            t.schema(),
            t.name(),
            create,
            null,
            null,
            null,
            null,
            null,
            new SchemaObject.TableLoad(t.engine(), columns, start, end, t.hasData()),
            null);
    return new DumpTable(t, o, chunkColumn);
  }

  /** Databases, in {@code schemas}' order. */
  static List<SchemaObject> databases(Connection c, List<String> schemas) throws SQLException {
    List<SchemaObject> out = new ArrayList<>();
    for (String schema : schemas) {
      try (Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SHOW CREATE DATABASE " + Sql.id(schema))) {
        rs.next();
        out.add(simple(SchemaObject.Kind.DATABASE, schema, schema, rs.getString(2)));
      }
    }
    return out;
  }

  /** A view's definition with the collation it was created under. */
  static SchemaObject view(Connection c, SourceTable v) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SHOW CREATE VIEW " + v.qualified())) {
      rs.next();
      return new SchemaObject(
          SchemaObject.Kind.VIEW,
          v.schema(),
          v.name(),
          required(rs.getString(2), "view " + v.label()),
          null,
          rs.getString(4),
          null,
          null,
          null,
          null,
          null);
    }
  }

  /** A sequence's definition and, read in the caller's snapshot, its next value. */
  static SchemaObject sequence(Connection c, SourceTable q) throws SQLException {
    String create = showCreate(c, "SEQUENCE", q, 2);
    try (Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery("SELECT next_not_cached_value, cycle_count FROM " + q.qualified())) {
      rs.next();
      return new SchemaObject(
          SchemaObject.Kind.SEQUENCE,
          q.schema(),
          q.name(),
          create,
          null,
          null,
          null,
          null,
          null,
          null,
          new SchemaObject.SequenceState(rs.getString(1), rs.getLong(2)));
    }
  }

  /** Functions and procedures of {@code schema}; packages are reported, not carried. */
  static List<SchemaObject> routines(Connection c, String schema, List<String> warnings)
      throws SQLException {
    List<SchemaObject> out = new ArrayList<>();
    List<String[]> names = new ArrayList<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT ROUTINE_NAME, ROUTINE_TYPE FROM information_schema.ROUTINES"
                + " WHERE ROUTINE_SCHEMA = ? ORDER BY ROUTINE_TYPE, ROUTINE_NAME")) {
      ps.setString(1, schema);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          names.add(new String[] {rs.getString(1), rs.getString(2)});
        }
      }
    }
    for (String[] n : names) {
      if (!n[1].equals("FUNCTION") && !n[1].equals("PROCEDURE")) {
        warnings.add(
            "the "
                + n[1].toLowerCase(Locale.ROOT)
                + " "
                + schema
                + "."
                + n[0]
                + " is not carried (only functions and procedures are)");
        continue;
      }
      try (Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SHOW CREATE " + n[1] + " " + Sql.id(schema, n[0]))) {
        rs.next();
        out.add(
            new SchemaObject(
                SchemaObject.Kind.valueOf(n[1]),
                schema,
                n[0],
                required(
                    rs.getString(3), n[1].toLowerCase(Locale.ROOT) + " " + schema + "." + n[0]),
                rs.getString(2),
                rs.getString(5),
                rs.getString(6),
                null,
                null,
                null,
                null));
      }
    }
    return out;
  }

  /** Triggers of {@code schema}, in the order they fire. */
  static List<SchemaObject> triggers(Connection c, String schema) throws SQLException {
    List<String> names = new ArrayList<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT TRIGGER_NAME FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = ?"
                + " ORDER BY EVENT_OBJECT_TABLE, ACTION_TIMING, EVENT_MANIPULATION, ACTION_ORDER")) {
      ps.setString(1, schema);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          names.add(rs.getString(1));
        }
      }
    }
    List<SchemaObject> out = new ArrayList<>();
    for (String n : names) {
      try (Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SHOW CREATE TRIGGER " + Sql.id(schema, n))) {
        rs.next();
        out.add(
            new SchemaObject(
                SchemaObject.Kind.TRIGGER,
                schema,
                n,
                required(rs.getString(3), "trigger " + schema + "." + n),
                rs.getString(2),
                rs.getString(5),
                rs.getString(6),
                null,
                null,
                null,
                null));
      }
    }
    return out;
  }

  /** Events of {@code schema}, with their status on the source. */
  static List<SchemaObject> events(Connection c, String schema) throws SQLException {
    List<String[]> names = new ArrayList<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT EVENT_NAME, STATUS FROM information_schema.EVENTS WHERE EVENT_SCHEMA = ?"
                + " ORDER BY EVENT_NAME")) {
      ps.setString(1, schema);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          names.add(new String[] {rs.getString(1), rs.getString(2)});
        }
      }
    }
    List<SchemaObject> out = new ArrayList<>();
    for (String[] n : names) {
      try (Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SHOW CREATE EVENT " + Sql.id(schema, n[0]))) {
        rs.next();
        out.add(
            new SchemaObject(
                SchemaObject.Kind.EVENT,
                schema,
                n[0],
                required(rs.getString(4), "event " + schema + "." + n[0]),
                rs.getString(2),
                rs.getString(6),
                rs.getString(7),
                rs.getString(3),
                n[1],
                null,
                null));
      }
    }
    return out;
  }

  private static String showCreate(Connection c, String kind, SourceTable t, int column)
      throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SHOW CREATE " + kind + " " + t.qualified())) {
      rs.next();
      return required(rs.getString(column), kind.toLowerCase(Locale.ROOT) + " " + t.label());
    }
  }

  private static SchemaObject simple(
      SchemaObject.Kind kind, String schema, String name, String sql) {
    return new SchemaObject(kind, schema, name, sql, null, null, null, null, null, null, null);
  }

  /** A definition the server did not show (a missing privilege) fails the dump by name. */
  private static String required(String definition, String what) {
    if (definition == null) {
      throw new DbJobsException(
          ErrorCode.PERMISSION_DENIED,
          "the source shows no definition of the "
              + what
              + ": the dumping user lacks the privilege to read it (global SELECT, SHOW VIEW,"
              + " TRIGGER, EVENT); nothing is dropped silently, so the dump fails");
    }
    return definition;
  }
}
