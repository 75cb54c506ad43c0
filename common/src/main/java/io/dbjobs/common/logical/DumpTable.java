package io.dbjobs.common.logical;

/**
 * A table as a dump reads it.
 *
 * @param object its schema object (definition and load spec)
 * @param chunkColumn the integer first primary-key column it can be chunked on; null: one chunk
 */
record DumpTable(SourceTable source, SchemaObject object, String chunkColumn) {

  /** {@code SELECT cols FROM t [FOR SYSTEM_TIME ALL]}, without a WHERE. */
  String select() {
    SchemaObject.TableLoad load = object.table();
    StringBuilder sb = new StringBuilder("SELECT ");
    boolean first = true;
    for (SchemaObject.LoadColumn c : load.columns()) {
      sb.append(first ? "" : ", ").append(Sql.id(c.name()));
      first = false;
    }
    if (load.history()) {
      sb.append(first ? "" : ", ")
          .append(Sql.id(load.historyStart()))
          .append(", ")
          .append(Sql.id(load.historyEnd()));
    }
    sb.append(" FROM ").append(source.qualified());
    if (load.history()) {
      sb.append(" FOR SYSTEM_TIME ALL");
    }
    return sb.toString();
  }

  /** Values per row. */
  int width() {
    return object.table().columns().size() + (object.table().history() ? 2 : 0);
  }
}
