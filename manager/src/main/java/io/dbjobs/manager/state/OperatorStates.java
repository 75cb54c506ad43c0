package io.dbjobs.manager.state;

import io.dbjobs.manager.config.ManagerConfig;
import java.time.Clock;

/** Where a configuration keeps its operator state. */
public final class OperatorStates {
  private OperatorStates() {}

  /**
   * The clustered scheduler store's table when {@code scheduler.store: jdbc} (shared by every
   * manager), else the file under {@code catalog.dir}. Cheap: nothing is opened until a call.
   */
  public static OperatorState of(ManagerConfig config) {
    return of(config, Clock.systemUTC());
  }

  public static OperatorState of(ManagerConfig config, Clock clock) {
    if (config.scheduler().clustered()) {
      return new JdbcOperatorState(config.scheduler().jdbc(), config.connectTimeout(), clock);
    }
    return new FileOperatorState(FileOperatorState.fileIn(config.catalogDir()), clock);
  }
}
