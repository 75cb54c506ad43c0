package io.dbjobs.common.backup;

import io.dbjobs.common.sql.SqlIdentifiers;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Which tables of some schemas hold at least one row now: one {@code SELECT 1 ... LIMIT 1} per
 * table (a hundred per query), cheap whatever the tables' sizes. Only tables a dump writes rows for
 * are asked: base and system-versioned tables, not views or sequences, and not the engines whose
 * data mariadb-dump and mysqldump skip (MERGE and FEDERATED: their rows live elsewhere).
 */
public final class TableRows {
  /** Engines whose rows the dump tools never write (mysqldump's check_if_ignore_table). */
  static final Set<String> DATA_NOT_DUMPED = Set.of("MRG_MYISAM", "MRG_ISAM", "FEDERATED");

  private static final int PER_QUERY = 100;

  private TableRows() {}

  /** The tables of {@code schemas} that have a row now. */
  public static Set<TableName> withRows(Connection c, List<String> schemas) throws SQLException {
    List<TableName> tables = new ArrayList<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT TABLE_NAME, ENGINE FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?"
                + " AND TABLE_TYPE IN ('BASE TABLE', 'SYSTEM VERSIONED') ORDER BY TABLE_NAME")) {
      for (String schema : schemas) {
        ps.setString(1, schema);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            String engine = rs.getString(2);
            if (engine == null || !DATA_NOT_DUMPED.contains(engine.toUpperCase(Locale.ROOT))) {
              tables.add(new TableName(schema, rs.getString(1)));
            }
          }
        }
      }
    }
    Set<TableName> out = new LinkedHashSet<>();
    for (int from = 0; from < tables.size(); from += PER_QUERY) {
      List<TableName> batch = tables.subList(from, Math.min(tables.size(), from + PER_QUERY));
      StringBuilder sql = new StringBuilder();
      for (int i = 0; i < batch.size(); i++) {
        if (i > 0) {
          sql.append(" UNION ALL ");
        }
        TableName t = batch.get(i);
        sql.append("(SELECT ")
            .append(i)
            .append(" FROM ")
            .append(SqlIdentifiers.qualified(t.schema(), t.name()))
            .append(" LIMIT 1)");
      }
      try (Statement s = c.createStatement();
          ResultSet rs = s.executeQuery(sql.toString())) {
        while (rs.next()) {
          out.add(batch.get(rs.getInt(1)));
        }
      }
    }
    return out;
  }
}
