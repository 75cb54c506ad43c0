package io.dbjobs.manager.schedule;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.time.Durations;
import io.dbjobs.manager.api.ManagerApi;
import io.dbjobs.manager.config.ManagerConfig;
import io.dbjobs.manager.config.ScheduleConfig;
import io.dbjobs.manager.config.SchedulerConfig;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.TimeZone;
import java.util.concurrent.atomic.AtomicInteger;
import org.quartz.CronScheduleBuilder;
import org.quartz.CronTrigger;
import org.quartz.JobBuilder;
import org.quartz.JobDataMap;
import org.quartz.JobDetail;
import org.quartz.JobKey;
import org.quartz.ObjectAlreadyExistsException;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.Trigger;
import org.quartz.TriggerBuilder;
import org.quartz.TriggerKey;
import org.quartz.impl.SchedulerRepository;
import org.quartz.impl.StdSchedulerFactory;
import org.quartz.impl.matchers.GroupMatcher;
import org.quartz.utils.DBConnectionManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon's Quartz scheduler: one durable job and one cron trigger per configured schedule (in
 * group {@code dbjobs}, named {@code cluster/schedule}), on the RAM store or the clustered JDBC
 * store (see {@link SchedulerConfig} for the misfire policy). On start the store is made to match
 * manager.yml: a trigger whose cron or zone changed is replaced, a schedule no longer configured is
 * deleted, an unchanged trigger is kept (so the JDBC store's memory of missed fires survives
 * restarts). All managers sharing a store must have the same schedules.
 */
public final class DaemonScheduler implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DaemonScheduler.class);
  static final String GROUP = "dbjobs";
  private static final String NAME = "dbjobs";
  private static final AtomicInteger STORES = new AtomicInteger();

  private final ManagerConfig config;
  private final Scheduler quartz;
  private final Clock clock;

  private DaemonScheduler(ManagerConfig config, Scheduler quartz, Clock clock) {
    this.config = config;
    this.quartz = quartz;
    this.clock = clock;
  }

  /**
   * Builds the scheduler (standing by; {@link #start} starts it). With the JDBC store this connects
   * to the store's database and creates Quartz's tables if it has none.
   *
   * @throws DbJobsException when the store cannot be used, saying why
   */
  public static DaemonScheduler create(ManagerConfig config, ScheduleRunner runner, Clock clock) {
    SchedulerConfig sc = config.scheduler();
    Properties p = new Properties();
    p.setProperty("org.quartz.scheduler.instanceName", NAME);
    p.setProperty(
        "org.quartz.scheduler.instanceId",
        sc.jdbc() == null
            ? hostName() // Quartz calls every RAM instance NON_CLUSTERED; the log says where
            : "auto".equalsIgnoreCase(sc.jdbc().instanceId()) ? "AUTO" : sc.jdbc().instanceId());
    p.setProperty("org.quartz.scheduler.makeSchedulerThreadDaemon", "true");
    p.setProperty("org.quartz.threadPool.class", "org.quartz.simpl.SimpleThreadPool");
    p.setProperty("org.quartz.threadPool.threadCount", Integer.toString(sc.threads()));
    p.setProperty("org.quartz.threadPool.threadNamePrefix", "schedule");
    p.setProperty("org.quartz.threadPool.makeThreadsDaemons", "true");
    p.setProperty(
        "org.quartz.jobStore.misfireThreshold", Long.toString(sc.misfireThreshold().toMillis()));
    HikariDataSource pool = null;
    if (sc.clustered()) {
      SchedulerConfig.JdbcStore j = sc.jdbc();
      pool = storePool(j, sc.threads());
      String where = j.user() + "@" + j.url();
      try {
        QuartzTables.ensure(pool, j.createTables(), where);
      } catch (RuntimeException e) {
        pool.close();
        throw e;
      }
      String ds = "dbjobs-store-" + STORES.incrementAndGet();
      DBConnectionManager.getInstance().addConnectionProvider(ds, new StoreConnections(pool));
      p.setProperty("org.quartz.jobStore.class", "org.quartz.impl.jdbcjobstore.JobStoreTX");
      p.setProperty(
          "org.quartz.jobStore.driverDelegateClass",
          "org.quartz.impl.jdbcjobstore.StdJDBCDelegate");
      p.setProperty("org.quartz.jobStore.dataSource", ds);
      p.setProperty("org.quartz.jobStore.tablePrefix", "QRTZ_");
      p.setProperty("org.quartz.jobStore.isClustered", "true");
      p.setProperty(
          "org.quartz.jobStore.clusterCheckinInterval",
          Long.toString(j.checkinInterval().toMillis()));
      // strings only in the store's job data: no Java serialization in the database
      p.setProperty("org.quartz.jobStore.useProperties", "true");
      p.setProperty("org.quartz.jobStore.acquireTriggersWithinLock", "true");
      // a manager learns of triggers another one released only by polling the store: poll about
      // as often as managers check in (Quartz's default, 30 s, would delay a take-over that long)
      long idle = Math.max(1000, Math.min(30_000, j.checkinInterval().toMillis()));
      p.setProperty("org.quartz.scheduler.idleWaitTime", Long.toString(idle));
    } else {
      p.setProperty("org.quartz.jobStore.class", "org.quartz.simpl.RAMJobStore");
    }
    Scheduler quartz;
    try {
      quartz = new StdSchedulerFactory(p).getScheduler();
      // each daemon owns its scheduler: none is shared through Quartz's static repository
      SchedulerRepository.getInstance().remove(NAME);
      quartz.setJobFactory(
          (bundle, s) -> {
            if (bundle.getJobDetail().getJobClass() != ScheduleFireJob.class) {
              throw new SchedulerException(
                  "the scheduler store holds a job of class "
                      + bundle.getJobDetail().getJobClass().getName()
                      + " that dbjobs does not run ("
                      + bundle.getJobDetail().getKey()
                      + ")");
            }
            return new ScheduleFireJob(runner);
          });
    } catch (SchedulerException e) {
      if (pool != null) {
        pool.close();
      }
      throw new DbJobsException(
          ErrorCode.INTERNAL, "cannot build the scheduler: " + e.getMessage(), e);
    }
    return new DaemonScheduler(config, quartz, clock);
  }

  private static HikariDataSource storePool(SchedulerConfig.JdbcStore j, int threads) {
    HikariConfig h = new HikariConfig();
    h.setPoolName("scheduler-store");
    h.setJdbcUrl(j.url());
    h.setUsername(j.user());
    if (j.password() != null) {
      h.setPassword(j.password().reveal());
    }
    // Quartz's advice: at least its worker threads plus three (misfire, cluster check-in, spare)
    h.setMaximumPoolSize(threads + 3);
    h.setMinimumIdle(1);
    h.setConnectionTimeout(10_000);
    h.setInitializationFailTimeout(-1);
    return new HikariDataSource(h);
  }

  /** Makes the store match manager.yml and starts firing. */
  public void start() {
    try {
      sync();
      quartz.start();
      LOG.info(
          "scheduler started: {} store, instance {}, {} schedule{}",
          config.scheduler().store(),
          quartz.getSchedulerInstanceId(),
          config.schedules().size(),
          config.schedules().size() == 1 ? "" : "s");
      for (ManagerApi.ScheduleDoc d : list()) {
        LOG.info(
            "schedule {}/{}: {} on {} at '{}' ({}), next fire {}",
            d.cluster(),
            d.name(),
            d.task(),
            d.node(),
            d.cron(),
            d.timeZone(),
            d.nextFire());
      }
    } catch (SchedulerException e) {
      throw new DbJobsException(
          ErrorCode.INTERNAL, "cannot start the scheduler: " + e.getMessage(), e);
    }
  }

  private void sync() throws SchedulerException {
    Instant startAt = clock.instant().minus(config.scheduler().catchUp());
    Set<JobKey> wanted = new HashSet<>();
    for (ScheduleConfig s : config.schedules()) {
      JobKey jk = jobKey(s.cluster(), s.name());
      wanted.add(jk);
      JobDetail job =
          JobBuilder.newJob(ScheduleFireJob.class)
              .withIdentity(jk)
              .withDescription(s.describe())
              .usingJobData(ScheduleFireJob.CLUSTER, s.cluster())
              .usingJobData(ScheduleFireJob.SCHEDULE, s.name())
              .storeDurably()
              .requestRecovery()
              .build();
      quartz.addJob(job, true);
      TriggerKey tk = TriggerKey.triggerKey(jk.getName(), GROUP);
      Trigger existing = quartz.getTrigger(tk);
      if (existing instanceof CronTrigger ct
          && ct.getCronExpression().equals(s.cron())
          && ct.getTimeZone().getID().equals(s.timeZone().getId())) {
        continue; // unchanged: keep its next fire time and any misfire it remembers
      }
      CronTrigger t =
          TriggerBuilder.newTrigger()
              .withIdentity(tk)
              .forJob(jk)
              .withDescription(s.describe())
              .withSchedule(
                  CronScheduleBuilder.cronSchedule(s.cron())
                      .inTimeZone(TimeZone.getTimeZone(s.timeZone()))
                      .withMisfireHandlingInstructionFireAndProceed())
              // starting in the past: a cron time within catchUp that had no run fires once now
              .startAt(Date.from(startAt))
              .build();
      if (existing == null) {
        try {
          quartz.scheduleJob(t);
        } catch (ObjectAlreadyExistsException e) {
          LOG.debug("schedule {}: another manager stored its trigger first", jk.getName());
        }
      } else {
        quartz.rescheduleJob(tk, t);
        LOG.info("schedule {}: trigger replaced ({})", jk.getName(), s.describe());
      }
    }
    for (JobKey jk : quartz.getJobKeys(GroupMatcher.jobGroupEquals(GROUP))) {
      if (!wanted.contains(jk)) {
        quartz.deleteJob(jk);
        LOG.info(
            "schedule {} is no longer in {}: deleted from the store",
            jk.getName(),
            config.source());
      }
    }
  }

  /** Every configured schedule with its trigger's next and previous fire times. */
  public List<ManagerApi.ScheduleDoc> list() {
    List<ManagerApi.ScheduleDoc> out = new ArrayList<>();
    for (ScheduleConfig s : config.schedules()) {
      Trigger t;
      try {
        t =
            quartz.getTrigger(
                TriggerKey.triggerKey(jobKey(s.cluster(), s.name()).getName(), GROUP));
      } catch (SchedulerException e) {
        t = null;
      }
      out.add(
          new ManagerApi.ScheduleDoc(
              s.cluster(),
              s.name(),
              s.task().wireName(),
              s.cron(),
              s.timeZone().getId(),
              s.node(),
              s.params(),
              t == null || t.getNextFireTime() == null ? null : t.getNextFireTime().toInstant(),
              t == null || t.getPreviousFireTime() == null
                  ? null
                  : t.getPreviousFireTime().toInstant()));
    }
    return out;
  }

  /**
   * Fires a schedule now, once, besides its cron times (on any manager sharing the store).
   *
   * @throws DbJobsException NOT_FOUND when no such schedule is configured
   */
  public void runNow(String cluster, String name) {
    boolean known = config.schedules(cluster).stream().anyMatch(s -> s.name().equals(name));
    if (!known) {
      throw new DbJobsException(
          ErrorCode.NOT_FOUND,
          "no schedule "
              + cluster
              + "/"
              + name
              + " in "
              + config.source()
              + "; configured: "
              + config.schedules().stream().map(ScheduleConfig::qualifiedName).toList());
    }
    try {
      quartz.triggerJob(
          jobKey(cluster, name), new JobDataMap(java.util.Map.of(ScheduleFireJob.MANUAL, "true")));
    } catch (SchedulerException e) {
      throw new DbJobsException(
          ErrorCode.INTERNAL,
          "cannot fire schedule " + cluster + "/" + name + ": " + e.getMessage(),
          e);
    }
  }

  private static String hostName() {
    try {
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.net.UnknownHostException e) {
      return "localhost";
    }
  }

  static JobKey jobKey(String cluster, String name) {
    return JobKey.jobKey(cluster + "/" + name, GROUP);
  }

  public String instanceId() {
    try {
      return quartz.getSchedulerInstanceId();
    } catch (SchedulerException e) {
      return "?";
    }
  }

  /** {@code started}, {@code standby} or {@code shutdown}. */
  public String state() {
    try {
      return quartz.isShutdown() ? "shutdown" : quartz.isInStandbyMode() ? "standby" : "started";
    } catch (SchedulerException e) {
      return "unknown";
    }
  }

  /** Stops firing; fires in progress go on. */
  public void standby() {
    try {
      quartz.standby();
    } catch (SchedulerException e) {
      LOG.warn("scheduler standby failed: {}", e.getMessage());
    }
  }

  /** Waits for fires in progress, then shuts the scheduler (and the store's pool) down. */
  @Override
  public void close() {
    try {
      long start = System.nanoTime();
      quartz.shutdown(true);
      LOG.info(
          "scheduler shut down in {}",
          Durations.human(java.time.Duration.ofNanos(System.nanoTime() - start)));
    } catch (SchedulerException e) {
      LOG.warn("scheduler shutdown failed: {}", e.getMessage());
    }
  }
}
