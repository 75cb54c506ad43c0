package io.dbjobs.testkit;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code CHECKSUM TABLE} of every base table of the given schemas (or of all user schemas), to
 * prove two servers hold the same data.
 */
public final class TableChecksums {
  private static final String SYSTEM =
      "'mysql','information_schema','performance_schema','sys','replication_manager_schema'";

  private TableChecksums() {}

  /** table ("db.t") to checksum, sorted; schemas empty means every user schema. */
  public static Map<String, String> of(DbServer s, String... schemas) {
    String where =
        schemas.length == 0
            ? "TABLE_SCHEMA NOT IN (" + SYSTEM + ")"
            : "TABLE_SCHEMA IN (" + String.join(",", quoted(schemas)) + ")";
    List<String> tables =
        s.column(
            "SELECT CONCAT('`', TABLE_SCHEMA, '`.`', TABLE_NAME, '`') FROM information_schema.TABLES"
                + " WHERE TABLE_TYPE='BASE TABLE' AND "
                + where
                + " ORDER BY 1");
    Map<String, String> out = new TreeMap<>();
    try (Connection c = s.connect();
        Statement st = c.createStatement()) {
      for (String t : tables) {
        try (ResultSet rs = st.executeQuery("CHECKSUM TABLE " + t + " EXTENDED")) {
          rs.next();
          out.put(rs.getString(1), rs.getString(2));
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException(s.name() + ": checksums failed: " + e.getMessage(), e);
    }
    return out;
  }

  private static List<String> quoted(String[] names) {
    List<String> out = new ArrayList<>();
    for (String n : names) {
      out.add("'" + n.replace("'", "''") + "'");
    }
    return out;
  }
}
