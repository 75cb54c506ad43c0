package io.dbjobs.agent.task.logs;

/** The server logs the agent collects, with the statement that makes the server reopen each. */
enum LogKind {
  ERROR("error", "error log", "FLUSH NO_WRITE_TO_BINLOG ERROR LOGS"),
  SLOW("slow", "slow query log", "FLUSH NO_WRITE_TO_BINLOG SLOW LOGS");

  private final String wireName;
  private final String label;
  private final String flush;

  LogKind(String wireName, String label, String flush) {
    this.wireName = wireName;
    this.label = label;
    this.flush = flush;
  }

  /** {@code error} or {@code slow}, as {@link io.dbjobs.common.backup.StreamMeta#LOG_KIND}. */
  String wireName() {
    return wireName;
  }

  /** "error log", "slow query log", for messages. */
  String label() {
    return label;
  }

  /** Closes the file and opens a new one under the configured name; never binary-logged. */
  String flushStatement() {
    return flush;
  }
}
