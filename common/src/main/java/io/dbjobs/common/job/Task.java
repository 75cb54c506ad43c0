package io.dbjobs.common.job;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.job.params.BackupLogicalParams;
import io.dbjobs.common.job.params.BackupPhysicalParams;
import io.dbjobs.common.job.params.FlashbackParams;
import io.dbjobs.common.job.params.LogParams;
import io.dbjobs.common.job.params.NoParams;
import io.dbjobs.common.job.params.OptimizeParams;
import io.dbjobs.common.job.params.ParamsCodec;
import io.dbjobs.common.job.params.RecoverParams;
import io.dbjobs.common.job.params.ReseedParams;
import io.dbjobs.common.job.params.ServiceParams;
import io.dbjobs.common.job.params.TaskParams;
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
  ROTATE_KEY(
      "rotate-key", false, "replace this node's job key with the one its sealed row carries"),
  RECOVER(
      "recover",
      false,
      "point replication at the current primary by GTID, restore read_only, restart replication"
          + " and wait for the catch-up; refuses when a recovery cannot be correct");

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

  /**
   * Whether {@code dbjobs submit} (and the API's plain job route) may create this task. Tasks that
   * stream are created only by the command that mints and seals their stream secret.
   */
  public boolean submittable() {
    return switch (this) {
      case OPTIMIZE, STOP, START, RESTART, RECOVER -> true;
      default -> false;
    };
  }

  /** The command that runs this task, for messages. */
  public String command() {
    return switch (this) {
      case BACKUP_PHYSICAL -> "dbjobs backup --type physical";
      case BACKUP_LOGICAL -> "dbjobs backup --type logical";
      case RESEED_PHYSICAL, RESEED_LOGICAL -> "dbjobs reseed";
      case FLASHBACK -> "dbjobs flashback";
      case ERRORLOG -> "dbjobs logs collect --kind error";
      case SLOWQUERY -> "dbjobs logs collect --kind slow";
      case ROTATE_KEY -> "dbjobs keys rotate";
      default -> "dbjobs submit --task " + wireName;
    };
  }

  /** The tasks {@link #submittable()}, comma-separated. */
  public static String submittableNames() {
    return Arrays.stream(values())
        .filter(Task::submittable)
        .map(Task::wireName)
        .collect(Collectors.joining(", "));
  }

  /** The record of this task's parameters: its one declaration. */
  public Class<? extends TaskParams> paramsType() {
    return switch (this) {
      case OPTIMIZE -> OptimizeParams.class;
      case STOP, START, RESTART -> ServiceParams.class;
      case BACKUP_PHYSICAL -> BackupPhysicalParams.class;
      case BACKUP_LOGICAL -> BackupLogicalParams.class;
      case RESEED_PHYSICAL, RESEED_LOGICAL -> ReseedParams.class;
      case FLASHBACK -> FlashbackParams.class;
      case ERRORLOG, SLOWQUERY -> LogParams.class;
      case ROTATE_KEY -> NoParams.class;
      case RECOVER -> RecoverParams.class;
    };
  }

  /** The parameters this task accepts, from its {@link #paramsType()}. */
  public List<ParamSpec> params() {
    return ParamsCodec.specs(paramsType());
  }

  /**
   * Validates {@code given} and returns it typed.
   *
   * @throws DbJobsException BAD_PARAMETER naming the first unknown, missing or malformed parameter
   */
  public <T extends TaskParams> T typed(Class<T> type, Map<String, String> given) {
    if (type != paramsType()) {
      throw new IllegalArgumentException(
          "task "
              + wireName
              + " has "
              + paramsType().getSimpleName()
              + ", not "
              + type.getSimpleName());
    }
    return ParamsCodec.read(type, validate(given));
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
