package io.dbjobs.common.logical;

/**
 * What one part holds.
 *
 * @param id unique in its dump, from 1
 * @param kind {@link #SCHEMA} (JSON lines of {@link SchemaObject}s, one part per dump, first) or
 *     {@link #ROWS} (rows of one chunk of one table in {@code LOAD DATA}'s default text format)
 * @param schema for rows: the table's schema
 * @param table for rows: the table
 * @param chunk for rows: this chunk's index, from 0
 * @param chunks for rows: how many chunks the table has
 */
public record PartHeader(int id, String kind, String schema, String table, int chunk, int chunks) {
  public static final String SCHEMA = "schema";
  public static final String ROWS = "rows";

  public static PartHeader schema(int id) {
    return new PartHeader(id, SCHEMA, null, null, 0, 1);
  }

  public static PartHeader rows(int id, String schema, String table, int chunk, int chunks) {
    return new PartHeader(id, ROWS, schema, table, chunk, chunks);
  }

  public boolean holdsRows() {
    return ROWS.equals(kind);
  }

  public boolean holdsSchema() {
    return SCHEMA.equals(kind);
  }

  /** "schema" or "db.table chunk 2/4", for messages. */
  public String describe() {
    return holdsRows() ? schema + "." + table + " chunk " + (chunk + 1) + "/" + chunks : kind;
  }
}
