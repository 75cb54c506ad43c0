package io.dbjobs.agent.task.reseed.load;

import io.dbjobs.common.logical.SchemaObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Secondary indexes added after a table's rows: measured 16% faster for a sysbench table than
 * loading with them (bench/README.md, LoadChoicesBench). Only where that is plainly safe: an InnoDB
 * table, not system-versioned, without foreign keys (their indexes must exist), whose {@code SHOW
 * CREATE TABLE} has one definition per line; only its plain {@code KEY} lines are deferred (unique,
 * full-text and spatial keys stay: a unique key checks the rows, the others build their own way).
 * The table is created without them and one {@code ALTER TABLE ... ADD KEY ...} follows its load.
 *
 * @param create the table's CREATE TABLE without the deferred keys
 * @param keys the deferred key definitions, e.g. {@code KEY `k_1` (`k`)}
 */
record DeferredKeys(String create, List<String> keys) {
  private static final Pattern PLAIN_KEY = Pattern.compile("^ {2}KEY `(?:[^`]|``)+` \\(.*");
  private static final Pattern DEFINITION =
      Pattern.compile(
          "^ {2}(?:`|PRIMARY KEY |UNIQUE KEY |KEY |FULLTEXT KEY |SPATIAL KEY |CONSTRAINT `|CHECK ).*");

  /** The table with its plain secondary keys split off, or null to load it as it is. */
  static DeferredKeys of(SchemaObject table) {
    SchemaObject.TableLoad load = table.table();
    String sql = table.sql();
    if (load == null
        || !load.hasData()
        || load.history()
        || !"InnoDB".equalsIgnoreCase(load.engine())) {
      return null;
    }
    String upper = sql.toUpperCase(Locale.ROOT);
    if (upper.contains("FOREIGN KEY") || upper.contains("WITH SYSTEM VERSIONING")) {
      return null;
    }
    String[] lines = sql.split("\n", -1);
    int close = -1;
    for (int i = 1; i < lines.length; i++) {
      if (lines[i].startsWith(")")) {
        close = i;
        break;
      }
    }
    if (close < 2 || !lines[0].endsWith("(")) {
      return null;
    }
    List<String> body = new ArrayList<>();
    List<String> keys = new ArrayList<>();
    for (int i = 1; i < close; i++) {
      String line = lines[i];
      if (!DEFINITION.matcher(line).matches()) {
        return null; // a definition over several lines: leave the table alone
      }
      String def = line.endsWith(",") ? line.substring(0, line.length() - 1) : line;
      if (PLAIN_KEY.matcher(def).matches()) {
        keys.add(def.strip());
      } else {
        body.add(def);
      }
    }
    if (keys.isEmpty() || body.isEmpty()) {
      return null;
    }
    StringBuilder sb = new StringBuilder(lines[0]).append('\n');
    for (int i = 0; i < body.size(); i++) {
      sb.append(body.get(i)).append(i < body.size() - 1 ? ",\n" : "\n");
    }
    for (int i = close; i < lines.length; i++) {
      sb.append(lines[i]).append(i < lines.length - 1 ? "\n" : "");
    }
    return new DeferredKeys(sb.toString(), List.copyOf(keys));
  }

  /** {@code ALTER TABLE `db`.`t` ADD KEY ..., ADD KEY ...}. */
  String alter(String qualifiedTable) {
    return "ALTER TABLE " + qualifiedTable + " ADD " + String.join(", ADD ", keys);
  }
}
