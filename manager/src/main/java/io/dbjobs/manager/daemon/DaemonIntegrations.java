package io.dbjobs.manager.daemon;

import io.dbjobs.manager.api.ApiEndpoints;
import io.dbjobs.manager.recover.ReseedStarter;
import io.dbjobs.manager.schedule.ScheduledBackups;
import io.dbjobs.manager.schedule.ScheduledLogs;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The parts plugged into {@code dbjobs serve} that live outside its own packages: who takes
 * scheduled backups and collects scheduled logs, extra API routes (e.g. {@code /v1/backups}, {@code
 * /v1/reseed}), and who starts the reseeds of {@code recover --reseed-if-needed} and of the
 * automatic policy. Each is built from the running daemon's {@link DaemonServices}; whatever is
 * {@link AutoCloseable} among them is closed when the daemon stops, after the scheduler and the API
 * and before the node pools.
 */
public record DaemonIntegrations(
    Function<DaemonServices, ScheduledBackups> backups,
    Function<DaemonServices, ScheduledLogs> logs,
    List<Function<DaemonServices, ApiEndpoints>> endpoints,
    Clock clock,
    Function<DaemonServices, ReseedStarter> reseeds) {

  public DaemonIntegrations {
    endpoints = List.copyOf(endpoints);
    reseeds = reseeds == null ? s -> ReseedStarter.notAvailable() : reseeds;
  }

  public DaemonIntegrations(
      Function<DaemonServices, ScheduledBackups> backups,
      Function<DaemonServices, ScheduledLogs> logs,
      List<Function<DaemonServices, ApiEndpoints>> endpoints,
      Clock clock) {
    this(backups, logs, endpoints, clock, null);
  }

  /** Nothing plugged in: scheduled backups and logs are reported as not available. */
  public static DaemonIntegrations defaults() {
    return new DaemonIntegrations(
        s -> ScheduledBackups.notAvailable(),
        s -> ScheduledLogs.notAvailable(),
        List.of(),
        Clock.systemUTC());
  }

  public DaemonIntegrations withBackups(Function<DaemonServices, ScheduledBackups> b) {
    return new DaemonIntegrations(b, logs, endpoints, clock, reseeds);
  }

  public DaemonIntegrations withLogs(Function<DaemonServices, ScheduledLogs> l) {
    return new DaemonIntegrations(backups, l, endpoints, clock, reseeds);
  }

  /** Adds routes to the API. */
  public DaemonIntegrations withEndpoints(Function<DaemonServices, ApiEndpoints> e) {
    List<Function<DaemonServices, ApiEndpoints>> all = new ArrayList<>(endpoints);
    all.add(e);
    return new DaemonIntegrations(backups, logs, all, clock, reseeds);
  }

  public DaemonIntegrations withClock(Clock c) {
    return new DaemonIntegrations(backups, logs, endpoints, c, reseeds);
  }

  /** Who starts reseeds for recover and the automatic policy. */
  public DaemonIntegrations withReseeds(Function<DaemonServices, ReseedStarter> r) {
    return new DaemonIntegrations(backups, logs, endpoints, clock, r);
  }
}
