package io.dbjobs.common.logical;

import java.util.Locale;
import java.util.Set;

/**
 * A table, view or sequence of the source as {@code information_schema.TABLES} lists it.
 *
 * @param type {@code BASE TABLE}, {@code SYSTEM VERSIONED}, {@code SEQUENCE} or {@code VIEW}
 * @param dataLength the engine's estimate of its data size (chunking and ordering only)
 */
public record SourceTable(String schema, String name, String type, String engine, long dataLength) {

  /** Engines whose rows live elsewhere or nowhere: their tables are created without rows. */
  private static final Set<String> NO_DATA =
      Set.of("BLACKHOLE", "FEDERATED", "CONNECT", "SPIDER", "MRG_MYISAM", "MERGE");

  public boolean isView() {
    return "VIEW".equals(type);
  }

  public boolean isSequence() {
    return "SEQUENCE".equals(type);
  }

  /** A table with rows of its own (not a view or sequence). */
  public boolean isTable() {
    return !isView() && !isSequence();
  }

  public boolean transactional() {
    return "InnoDB".equalsIgnoreCase(engine);
  }

  public boolean hasData() {
    return engine == null || !NO_DATA.contains(engine.toUpperCase(Locale.ROOT));
  }

  public String qualified() {
    return Sql.id(schema, name);
  }

  /** {@code db.t}, for messages. */
  public String label() {
    return schema + "." + name;
  }
}
