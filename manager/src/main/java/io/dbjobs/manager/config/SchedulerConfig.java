package io.dbjobs.manager.config;

import io.dbjobs.common.config.Secret;
import java.time.Duration;
import java.time.ZoneId;

/**
 * The daemon's Quartz scheduler ({@code scheduler:} in manager.yml).
 *
 * <p><b>Misfires.</b> A schedule that could not fire on time (every manager was down, or busy past
 * {@code misfireThreshold}) fires <em>once</em> as soon as a manager can, for its most recent
 * missed time, then keeps its cron times (Quartz's "fire once now" for cron triggers): a daily
 * backup missed during a three-day outage runs once on return, not three times. The RAM store
 * forgets triggers on restart, so on start every schedule also looks back {@code catchUp}: if its
 * most recent time within that window has no job in the cluster (looked up by the idempotency key
 * that time gives), it fires once now. Runs are keyed by schedule and time, so a catch-up of a run
 * that did happen, a retry, or a second manager finds the existing job and enqueues nothing.
 *
 * @param store {@code scheduler.store}, default {@code ram}: {@code ram} keeps triggers in memory
 *     (one manager); {@code jdbc} keeps them in Quartz's clustered JDBC store on a MySQL/MariaDB
 *     database, so several managers share the schedules and each run fires on exactly one of them
 * @param threads {@code scheduler.threads}, default {@code 4}: schedules firing at the same moment
 * @param misfireThreshold {@code scheduler.misfireThreshold}, default {@code 60s}: how late a fire
 *     may be and still count as on time
 * @param catchUp {@code scheduler.catchUp}, default {@code 24h}; {@code 0s} turns it off: on start,
 *     how far back a schedule looks for a time whose run never happened
 * @param timeZone {@code scheduler.timeZone}, default the system's zone: the zone cron expressions
 *     are read in (a schedule's own {@code timeZone} overrides it)
 * @param jdbc the {@code scheduler.jdbc} settings; null with the RAM store
 */
public record SchedulerConfig(
    String store,
    int threads,
    Duration misfireThreshold,
    Duration catchUp,
    ZoneId timeZone,
    JdbcStore jdbc) {

  public static final String RAM = "ram";
  public static final String JDBC = "jdbc";

  public boolean clustered() {
    return JDBC.equals(store);
  }

  public static SchedulerConfig defaults() {
    return new SchedulerConfig(
        RAM, 4, Duration.ofSeconds(60), Duration.ofHours(24), ZoneId.systemDefault(), null);
  }

  /**
   * Quartz's clustered JDBC job store ({@code scheduler.jdbc:}).
   *
   * @param url {@code scheduler.jdbc.url}, required with {@code store: jdbc}: a MySQL/MariaDB JDBC
   *     URL naming the database that holds the {@code QRTZ_} tables, e.g. {@code
   *     jdbc:mysql://db-admin:3306/dbjobs_scheduler}; no password in it
   * @param user {@code scheduler.jdbc.user}, default {@code dbjobs_scheduler}
   * @param password {@code scheduler.jdbc.password}, by reference
   * @param instanceId {@code scheduler.jdbc.instanceId}, default {@code auto} (host name and start
   *     time): each manager's name in the cluster; must differ between managers
   * @param checkinInterval {@code scheduler.jdbc.checkinInterval}, default {@code 7500ms}: how
   *     often a manager tells the others it is alive; one that misses check-ins is taken over
   * @param createTables {@code scheduler.jdbc.createTables}, default {@code true}: create the
   *     Quartz tables when the database has none (needs CREATE and INDEX on it)
   */
  public record JdbcStore(
      String url,
      String user,
      Secret password,
      String instanceId,
      Duration checkinInterval,
      boolean createTables) {}
}
