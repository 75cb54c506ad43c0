package io.dbjobs.common.job;

import static io.dbjobs.common.job.ParamSpec.Type.DURATION;
import static io.dbjobs.common.job.ParamSpec.Type.TABLES;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The tasks an agent runs, by the name stored in the {@code task} column, with the parameters each
 * accepts. A destructive task changes or stops the node's data or service; it runs alone on its
 * node and is never re-run after its agent was lost.
 */
public enum Task {
  BACKUP_PHYSICAL("backup-physical", false, "stream a physical backup (mariadb-backup/xtrabackup)"),
  BACKUP_LOGICAL("backup-logical", false, "stream a logical backup (mariadb-dump/mysqldump)"),
  RESEED_PHYSICAL("reseed-physical", true, "rebuild this node from a physical backup stream"),
  RESEED_LOGICAL("reseed-logical", true, "rebuild this node from a logical backup stream"),
  FLASHBACK("flashback", true, "rejoin an old primary from its own latest backup"),
  ERRORLOG("errorlog", false, "stream the error log to the manager, then rotate it"),
  SLOWQUERY("slowquery", false, "stream the slow query log to the manager, then rotate it"),
  OPTIMIZE("optimize", false, "optimize or analyze tables without writing the binlog"),
  STOP("stop", true, "stop the database service and wait until it is down"),
  START("start", false, "start the database service and wait until it answers"),
  RESTART("restart", true, "restart the database service and wait until it answers"),
  RECOVER(
      "recover",
      false,
      "point replication at the current primary by GTID, restore read_only, restart replication"
          + " and wait for the catch-up; refuses when a recovery cannot be correct");

  private static final ParamSpec SERVICE_TIMEOUT =
      ParamSpec.optional(
          "timeout",
          DURATION,
          null,
          "how long to wait for the server (absent: the agent's service.timeout)");

  private final String wireName;
  private final boolean destructive;
  private final String summary;

  Task(String wireName, boolean destructive, String summary) {
    this.wireName = wireName;
    this.destructive = destructive;
    this.summary = summary;
  }

  /** The name in the jobs table and on the command line, e.g. {@code backup-physical}. */
  public String wireName() {
    return wireName;
  }

  public boolean isDestructive() {
    return destructive;
  }

  public String summary() {
    return summary;
  }

  /** The parameters this task accepts. */
  public List<ParamSpec> params() {
    return switch (this) {
      case OPTIMIZE ->
          List.of(
              ParamSpec.optional(
                  "tables", TABLES, null, "db.table or db.* list (absent: every user table)"),
              ParamSpec.choice(
                  "mode", "optimize", List.of("optimize", "analyze"), "what to run on each table"));
      case STOP, START, RESTART -> List.of(SERVICE_TIMEOUT);
      case RECOVER -> RecoverParams.SPECS;
      default -> TaskStreamParams.forTask(this);
    };
  }

  /**
   * Checks parameters against {@link #params()} and returns them with defaults filled in.
   *
   * @throws DbJobsException BAD_PARAMETER naming the first unknown, missing or malformed parameter
   */
  public Map<String, String> validate(Map<String, String> given) {
    Map<String, ParamSpec> specs = new LinkedHashMap<>();
    params().forEach(p -> specs.put(p.name(), p));
    for (String key : given.keySet()) {
      if (!specs.containsKey(key)) {
        throw new DbJobsException(
            ErrorCode.BAD_PARAMETER,
            "task "
                + wireName
                + ": unknown parameter '"
                + key
                + "'; known parameters: "
                + (specs.isEmpty() ? "none" : String.join(", ", specs.keySet())));
      }
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (ParamSpec spec : specs.values()) {
      String value = given.get(spec.name());
      if (value == null) {
        if (spec.required()) {
          throw new DbJobsException(
              ErrorCode.BAD_PARAMETER,
              "task "
                  + wireName
                  + ": missing required parameter '"
                  + spec.name()
                  + "' ("
                  + spec.doc()
                  + ")");
        }
        if (spec.defaultValue() != null) {
          out.put(spec.name(), spec.defaultValue());
        }
        continue;
      }
      spec.check(wireName, value);
      out.put(spec.name(), value);
    }
    return out;
  }

  public static Optional<Task> byName(String name) {
    return Arrays.stream(values()).filter(t -> t.wireName.equals(name)).findFirst();
  }

  /**
   * The task with this name.
   *
   * @throws DbJobsException UNKNOWN_TASK listing the known tasks
   */
  public static Task require(String name) {
    return byName(name)
        .orElseThrow(
            () ->
                new DbJobsException(
                    ErrorCode.UNKNOWN_TASK,
                    "unknown task '" + name + "'; known tasks: " + knownNames()));
  }

  public static String knownNames() {
    return Arrays.stream(values()).map(Task::wireName).collect(Collectors.joining(", "));
  }

  @Override
  public String toString() {
    return wireName;
  }
}
