package io.dbjobs.manager.work;

import io.dbjobs.common.stream.Compression;
import io.dbjobs.common.tool.ToolRunner;
import io.dbjobs.manager.backup.TakeBackup;
import io.dbjobs.manager.catalog.BackupCatalog;
import io.dbjobs.manager.config.ManagerConfig;
import io.dbjobs.manager.fleet.NodeConnections;
import io.dbjobs.manager.logs.CollectLog;
import io.dbjobs.manager.logs.LogStore;
import io.dbjobs.manager.receive.DirectNodeJobs;
import io.dbjobs.manager.receive.Receiver;
import io.dbjobs.manager.reseed.Reseed;
import io.dbjobs.manager.reseed.ReseedSources;
import java.time.Clock;

/**
 * The one factory of the manager's long verbs (backup, log collection, reseed), used the same way
 * by the CLI working directly against the nodes and by the daemon: a command costs the same and
 * behaves the same whichever runs it.
 */
public final class Verbs {
  private final ManagerConfig config;
  private final NodeConnections connections;
  private final Receiver receiver;
  private final Clock clock;
  private final BackupCatalog catalog;

  /**
   * @param receiver where agents stream to; null for a process that only reseeds
   */
  public Verbs(ManagerConfig config, NodeConnections connections, Receiver receiver, Clock clock) {
    this.config = config;
    this.connections = connections;
    this.receiver = receiver;
    this.clock = clock;
    this.catalog = new BackupCatalog(config.catalogDir(), clock);
  }

  /** The catalog every verb of this factory shares. */
  public BackupCatalog catalog() {
    return catalog;
  }

  public TakeBackup takeBackup() {
    return new TakeBackup(
        receiver, new DirectNodeJobs(connections), catalog, config.retention(), clock);
  }

  public CollectLog collectLog() {
    return new CollectLog(
        receiver, new DirectNodeJobs(connections), new LogStore(config.catalogDir(), clock), clock);
  }

  /**
   * The reseed verb; what the manager itself sends to a joiner uses its receiver's TLS and timeouts
   * with {@code wire} compression.
   */
  public Reseed reseed(Compression wire) {
    return new Reseed(
        config,
        connections,
        new ReseedSources(
            config,
            connections,
            catalog,
            config.mariadbDump(),
            new ToolRunner(),
            config.receiver().streamOptions().withCompression(wire),
            wire.wireName()));
  }
}
