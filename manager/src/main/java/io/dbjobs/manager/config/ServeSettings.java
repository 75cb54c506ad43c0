package io.dbjobs.manager.config;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.config.ConfigTree;
import io.dbjobs.common.config.Secret;
import io.dbjobs.common.http.HttpLimits;
import io.dbjobs.common.job.ParamSpec;
import io.dbjobs.common.job.Task;
import io.dbjobs.common.job.TaskStreamParams;
import io.dbjobs.common.time.Durations;
import java.net.URI;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.quartz.CronExpression;

/**
 * Reads the keys of {@code dbjobs serve}: {@code api}, {@code watchdog}, {@code scheduler} and
 * {@code clusters[].schedules}. Each key's default is here and in the record that holds it.
 */
final class ServeSettings {
  private static final Pattern SCHEDULE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
  private static final Pattern JDBC_URL = Pattern.compile("jdbc:mysql://[^/?]+/[^/?]+([?].*)?");

  private ServeSettings() {}

  static ApiConfig api(ConfigTree a) {
    ApiConfig d = ApiConfig.defaults();
    String url = a.string("url", null);
    if (url != null) {
      try {
        URI u = URI.create(url.strip());
        if (!"http".equals(u.getScheme()) && !"https".equals(u.getScheme())
            || u.getHost() == null) {
          throw new IllegalArgumentException("not an http(s) URL");
        }
        url = url.strip().replaceAll("/+$", "");
      } catch (IllegalArgumentException e) {
        a.problems()
            .add(
                a.keyOf("url"),
                "'"
                    + url
                    + "' is not an http:// URL of a dbjobs daemon, e.g. http://127.0.0.1:4446");
        url = null;
      }
    }
    String bind = a.string("bind", d.bind());
    int port = a.integer("port", d.port(), 1, 65535);
    Secret token = a.secret("token", false);
    HttpLimits limits = HttpLimits.read(a, d.limits());
    return new ApiConfig(url, bind, port, token, limits);
  }

  static WatchdogConfig watchdog(ConfigTree w) {
    WatchdogConfig d = WatchdogConfig.defaults();
    Duration backoff = w.duration("recoverBackoff", d.recoverBackoff(), Duration.ofMillis(100));
    Duration max = w.duration("recoverBackoffMax", d.recoverBackoffMax(), Duration.ofMillis(100));
    if (max.compareTo(backoff) < 0) {
      w.problems()
          .add(
              w.keyOf("recoverBackoffMax"),
              "must be at least watchdog.recoverBackoff (" + Durations.human(backoff) + ")");
      max = backoff;
    }
    return new WatchdogConfig(
        w.duration("interval", d.interval(), Duration.ofMillis(100)), backoff, max);
  }

  static SchedulerConfig scheduler(ConfigTree s) {
    SchedulerConfig d = SchedulerConfig.defaults();
    String store = s.choice("store", d.store(), List.of(SchedulerConfig.RAM, SchedulerConfig.JDBC));
    int threads = s.integer("threads", d.threads(), 1, 64);
    Duration misfire = s.duration("misfireThreshold", d.misfireThreshold(), Duration.ofSeconds(1));
    Duration catchUp = s.duration("catchUp", d.catchUp(), Duration.ZERO);
    ZoneId zone = zone(s, "timeZone", d.timeZone());
    ConfigTree j = s.child("jdbc");
    boolean jdbc = SchedulerConfig.JDBC.equals(store);
    String url =
        jdbc
            ? j.requiredString(
                "url",
                "the JDBC URL of the MySQL/MariaDB database holding Quartz's tables, e.g."
                    + " jdbc:mysql://db-admin:3306/dbjobs_scheduler")
            : j.string("url", null);
    if (url != null && !JDBC_URL.matcher(url).matches()) {
      s.problems()
          .add(
              j.keyOf("url"),
              "'"
                  + url
                  + "' must be jdbc:mysql://HOST:PORT/DATABASE (MySQL or MariaDB, naming the"
                  + " database that holds the QRTZ_ tables)");
    } else if (url != null && url.toLowerCase(java.util.Locale.ROOT).contains("password")) {
      s.problems()
          .add(
              j.keyOf("url"),
              "must not contain a password: give it as scheduler.jdbc.password: {file: /path}");
    }
    String user = j.string("user", "dbjobs_scheduler");
    Secret password = j.secret("password", false);
    String instanceId = j.string("instanceId", "auto");
    Duration checkin =
        j.duration("checkinInterval", Duration.ofMillis(7500), Duration.ofMillis(200));
    boolean create = j.bool("createTables", true);
    SchedulerConfig.JdbcStore store0 =
        jdbc
            ? new SchedulerConfig.JdbcStore(url, user, password, instanceId, checkin, create)
            : null;
    return new SchedulerConfig(store, threads, misfire, catchUp, zone, store0);
  }

  /** The schedules of one cluster; the default one when the cluster has no {@code schedules}. */
  static List<ScheduleConfig> schedules(
      ConfigTree cluster, String clusterName, List<NodeConfig> nodes, ZoneId zone) {
    if (!cluster.has("schedules")) {
      return List.of(ScheduleConfig.defaultFor(clusterName, zone));
    }
    Set<String> nodeNames = nodes.stream().map(NodeConfig::name).collect(Collectors.toSet());
    Set<String> seen = new HashSet<>();
    List<ScheduleConfig> out = new ArrayList<>();
    for (ConfigTree st : cluster.list("schedules")) {
      ScheduleConfig s = schedule(st, clusterName, nodeNames, zone, seen);
      if (s != null) {
        out.add(s);
      }
    }
    return out;
  }

  private static ScheduleConfig schedule(
      ConfigTree st, String cluster, Set<String> nodeNames, ZoneId defaultZone, Set<String> seen) {
    String name = st.requiredString("name", "the schedule's name, e.g. nightly-backup");
    if (name != null && !seen.add(name)) {
      st.problems()
          .add(
              st.keyOf("name"), "schedule name '" + name + "' is used twice in cluster " + cluster);
      name = null;
    }
    if (name != null && !SCHEDULE_NAME.matcher(name).matches()) {
      st.problems()
          .add(
              st.keyOf("name"),
              "'"
                  + name
                  + "' must be 1-64 letters, digits, '.', '_' or '-', starting with a letter or"
                  + " digit");
      name = null;
    }
    String schedulable =
        ScheduleConfig.TASKS.stream().map(Task::wireName).collect(Collectors.joining(", "));
    String taskName = st.requiredString("task", "what to run: " + schedulable);
    Task task = taskName == null ? null : Task.byName(taskName).orElse(null);
    if (taskName != null && (task == null || !ScheduleConfig.TASKS.contains(task))) {
      st.problems()
          .add(
              st.keyOf("task"),
              "'" + taskName + "' cannot be scheduled; schedulable tasks: " + schedulable);
      task = null;
    }
    String cron =
        st.requiredString("cron", "a Quartz cron expression, seconds first: '0 0 2 * * ?'");
    if (cron != null) {
      cron = cron.strip();
      try {
        CronExpression.validateExpression(cron);
      } catch (java.text.ParseException e) {
        String hint =
            cron.split("\\s+").length == 5
                ? " (this looks like a 5-field Unix cron; Quartz's starts with seconds and needs"
                    + " '?' in day-of-month or day-of-week: '0 0 2 * * ?' is 02:00 daily)"
                : " (seconds minutes hours day-of-month month day-of-week [year], e.g. '0 0 2 * *"
                    + " ?')";
        st.problems()
            .add(
                st.keyOf("cron"),
                "'" + cron + "' is not a Quartz cron expression: " + e.getMessage() + hint);
        cron = null;
      }
    }
    ZoneId zone = zone(st, "timeZone", defaultZone);
    boolean backup = task == Task.BACKUP_PHYSICAL || task == Task.BACKUP_LOGICAL;
    String node = st.string("node", null);
    if (node == null && task != null && !backup) {
      st.problems()
          .add(
              st.keyOf("node"),
              "is required for task "
                  + task
                  + ": a node of cluster "
                  + cluster
                  + " ("
                  + String.join(", ", new java.util.TreeSet<>(nodeNames))
                  + "), primary or replica");
    } else if (node == null) {
      node = ScheduleConfig.REPLICA;
    } else if (!node.equals(ScheduleConfig.REPLICA)
        && !node.equals(ScheduleConfig.PRIMARY)
        && !nodeNames.contains(node)) {
      st.problems()
          .add(
              st.keyOf("node"),
              "'"
                  + node
                  + "' is no node of cluster "
                  + cluster
                  + "; use one of "
                  + String.join(", ", new java.util.TreeSet<>(nodeNames))
                  + ", primary or replica");
      node = null;
    }
    Map<String, String> params = params(st, task);
    if (name == null || task == null || cron == null || node == null || params == null) {
      return null;
    }
    return new ScheduleConfig(cluster, name, task, cron, node, params, zone);
  }

  /**
   * The schedule's {@code params}: each a known parameter of the task (an unknown one is reported
   * as an unknown key, with a suggestion) with a value the task accepts.
   */
  private static Map<String, String> params(ConfigTree st, Task task) {
    if (task == null) {
      st.has("params"); // reported with the task; do not report every parameter again
      return Map.of();
    }
    ConfigTree p = st.child("params");
    Map<String, String> out = new LinkedHashMap<>();
    boolean ok = true;
    for (ParamSpec spec : task.params()) {
      if (spec.name().equals(TaskStreamParams.STREAM_ID)) {
        continue; // the manager names each stream itself
      }
      String v = p.string(spec.name(), null);
      if (v == null) {
        continue;
      }
      try {
        spec.check(task.wireName(), v);
        out.put(spec.name(), v);
      } catch (DbJobsException e) {
        st.problems().add(p.keyOf(spec.name()), e.getMessage());
        ok = false;
      }
    }
    return ok ? out : null;
  }

  private static ZoneId zone(ConfigTree t, String key, ZoneId dflt) {
    String z = t.string(key, null);
    if (z == null) {
      return dflt;
    }
    try {
      return ZoneId.of(z.strip());
    } catch (DateTimeException e) {
      t.problems()
          .add(t.keyOf(key), "'" + z + "' is not a time zone (examples: UTC, Europe/Paris)");
      return dflt;
    }
  }

  /** The serve settings of {@code c}, one per line, secrets masked. */
  static List<String> describe(ManagerConfig c) {
    List<String> out = new ArrayList<>();
    ApiConfig a = c.api();
    out.add(
        "api: url="
            + (a.url() == null ? "(none: the CLI works directly against the nodes)" : a.url())
            + " bind="
            + a.bind()
            + " port="
            + a.port()
            + " token="
            + (a.token() == null ? "(none)" : a.token())
            + " "
            + a.limits().describe());
    out.add(
        "watchdog: interval="
            + Durations.human(c.watchdog().interval())
            + " recoverBackoff="
            + Durations.human(c.watchdog().recoverBackoff())
            + " recoverBackoffMax="
            + Durations.human(c.watchdog().recoverBackoffMax()));
    SchedulerConfig s = c.scheduler();
    out.add(
        "scheduler: store="
            + s.store()
            + " threads="
            + s.threads()
            + " misfireThreshold="
            + Durations.human(s.misfireThreshold())
            + " catchUp="
            + Durations.human(s.catchUp())
            + " timeZone="
            + s.timeZone().getId());
    if (s.jdbc() != null) {
      SchedulerConfig.JdbcStore j = s.jdbc();
      out.add(
          "scheduler.jdbc: url="
              + j.url()
              + " user="
              + j.user()
              + " password="
              + j.password()
              + " instanceId="
              + j.instanceId()
              + " checkinInterval="
              + Durations.human(j.checkinInterval())
              + " createTables="
              + j.createTables());
    }
    for (ScheduleConfig sc : c.schedules()) {
      out.add("schedule " + sc.describe());
    }
    return out;
  }
}
