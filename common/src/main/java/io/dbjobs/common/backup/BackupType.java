package io.dbjobs.common.backup;

/** Physical (a copy of the data files) or logical (SQL statements). */
public enum BackupType {
  PHYSICAL("physical"),
  LOGICAL("logical");

  private final String wireName;

  BackupType(String wireName) {
    this.wireName = wireName;
  }

  /** The name in trailer metadata ({@link StreamMeta#TYPE}). */
  public String wireName() {
    return wireName;
  }

  @Override
  public String toString() {
    return wireName;
  }
}
