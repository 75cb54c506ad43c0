package io.dbjobs.common.backup;

/**
 * A table, by schema and name, as a dump and the server's catalog name it.
 *
 * @param schema null when a dump names a table before any {@code USE} line
 */
public record TableName(String schema, String name) {
  /** {@code schema.name}, for messages (not SQL). */
  @Override
  public String toString() {
    return schema == null ? name : schema + "." + name;
  }
}
