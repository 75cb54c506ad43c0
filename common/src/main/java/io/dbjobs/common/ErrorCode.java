package io.dbjobs.common;

/**
 * What went wrong, as one stable name. The name is what lands in a job row's {@code error_code}
 * column; {@link #exitStatus()} is what the command-line tools exit with.
 *
 * <p>Exit statuses: 0 success; 1 a job failed or was cancelled; 2 usage error; 3 invalid
 * configuration; 4 a node, agent or daemon cannot be reached; 5 not found; 6 timed out; 7 refused
 * by a safety check; 10 internal error.
 */
public enum ErrorCode {
  // configuration and requests
  CONFIG_INVALID(3),
  USAGE(2),
  UNKNOWN_TASK(1),
  BAD_PARAMETER(1),
  IDEMPOTENCY_CONFLICT(7),
  NOT_FOUND(5),

  // reaching things
  NODE_UNREACHABLE(4),
  AGENT_UNREACHABLE(4),
  DAEMON_UNREACHABLE(4),
  DATABASE_ERROR(4),
  PERMISSION_DENIED(4),
  SCHEMA_CONFLICT(7),
  /**
   * An HTTP server (the daemon's API, an agent's endpoint) has every thread and queue slot busy.
   */
  SERVER_BUSY(4),

  // running jobs
  TOOL_NOT_FOUND(1),
  TOOL_FAILED(1),
  SERVICE_COMMAND_FAILED(1),
  SERVER_NOT_ANSWERING(1),
  AGENT_LOST(1),
  AGENT_STOPPED(1),
  CANCELLED(1),
  TIMEOUT(6),
  PREFLIGHT_REFUSED(7),
  /** The job row's seal is missing, wrong, expired or replayed: the agent did nothing. */
  UNAUTHENTICATED_JOB(1),

  // streams
  STREAM_AUTH_FAILED(1),
  STREAM_PROTOCOL(1),
  STREAM_CUT(1),
  STREAM_TIMEOUT(6),
  DIGEST_MISMATCH(1),
  SINK_FAILED(1),

  // storage and restore
  DISK_FULL(1),
  CATALOG_ERROR(1),
  RESTORE_FAILED(1),
  REPLICATION_FAILED(1),
  /** A dump carries no rows for tables that had rows when it started and still have them. */
  DUMP_INCOMPLETE(1),
  /** A restore did not complete and was undone: the node's old data serves again. */
  ROLLED_BACK(1),

  INTERNAL(10);

  private final int exitStatus;

  ErrorCode(int exitStatus) {
    this.exitStatus = exitStatus;
  }

  /** The process exit status a command-line tool uses when it fails with this code. */
  public int exitStatus() {
    return exitStatus;
  }

  /** Parses a code read from a job row; unknown names (from a newer version) map to INTERNAL. */
  public static ErrorCode fromRow(String name) {
    if (name == null) {
      return null;
    }
    try {
      return valueOf(name);
    } catch (IllegalArgumentException e) {
      return INTERNAL;
    }
  }
}
