package io.dbjobs.manager.work;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.job.Job;
import io.dbjobs.common.stream.Compression;
import io.dbjobs.common.stream.StreamProgress;
import io.dbjobs.common.time.Durations;
import io.dbjobs.manager.backup.TakeBackup;
import io.dbjobs.manager.catalog.BackupCatalog;
import io.dbjobs.manager.catalog.BackupType;
import io.dbjobs.manager.config.ManagerConfig;
import io.dbjobs.manager.config.NodeConfig;
import io.dbjobs.manager.fleet.JobView;
import io.dbjobs.manager.fleet.NodeConnections;
import io.dbjobs.manager.logs.CollectLog;
import io.dbjobs.manager.logs.LogKind;
import io.dbjobs.manager.metrics.BackupMetrics;
import io.dbjobs.manager.receive.Receiver;
import io.dbjobs.manager.receive.ReceivingJob;
import io.dbjobs.manager.reseed.Reseed;
import io.dbjobs.manager.schedule.ScheduledBackups;
import io.dbjobs.manager.schedule.ScheduledLogs;
import io.dbjobs.manager.schedule.ScheduledRun;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon's long work: backups and log collections run on its own threads through its receiver,
 * for schedules and for API calls. A start returns once the node's job is enqueued; the stream, the
 * catalog and retention finish in the background, and the metrics hear the result.
 */
public final class BackgroundWork implements ScheduledBackups, ScheduledLogs, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(BackgroundWork.class);
  private static final Duration ENQUEUE_WAIT = Duration.ofSeconds(60);
  private static final Duration BACKUP_TIMEOUT = Duration.ofHours(24);
  private static final Duration LOG_TIMEOUT = Duration.ofHours(1);

  private final ManagerConfig config;
  private final Receiver receiver;
  private final BackupCatalog catalog;
  private final TakeBackup takeBackup;
  private final CollectLog collectLog;
  private final BackupMetrics metrics;
  private final ExecutorService threads;
  private final NodeConnections connections;
  private final Verbs verbs;
  private volatile boolean closed;

  public BackgroundWork(
      ManagerConfig config, NodeConnections connections, BackupMetrics metrics, Clock clock) {
    this.config = config;
    this.connections = connections;
    this.receiver = Receiver.open(config.receiver());
    this.verbs = new Verbs(config, connections, receiver, clock);
    this.catalog = verbs.catalog();
    this.takeBackup = verbs.takeBackup();
    this.collectLog = verbs.collectLog();
    this.metrics = metrics;
    this.threads =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "dbjobs-work");
              t.setDaemon(true);
              return t;
            });
    LOG.info(
        "receiving backups and logs on {} (agents connect to {})",
        receiver.boundAddress(),
        receiver.advertisedAddress());
  }

  /**
   * The daemon's integrations with one {@link BackgroundWork} behind scheduled backups, scheduled
   * log collection and the {@link WorkEndpoints}.
   */
  public static io.dbjobs.manager.daemon.DaemonIntegrations into(
      io.dbjobs.manager.daemon.DaemonIntegrations base) {
    java.util.concurrent.atomic.AtomicReference<BackgroundWork> work =
        new java.util.concurrent.atomic.AtomicReference<>();
    java.util.function.Function<io.dbjobs.manager.daemon.DaemonServices, BackgroundWork> once =
        s ->
            work.updateAndGet(
                w ->
                    w != null
                        ? w
                        : new BackgroundWork(
                            s.config(), s.connections(), s.metrics().backups(), s.clock()));
    return base.withBackups(once::apply)
        .withLogs(once::apply)
        .withEndpoints(s -> new WorkEndpoints(once.apply(s)))
        .withReseeds(s -> r -> once.apply(s).startReseed(r, Compression.NONE));
  }

  public BackupCatalog catalog() {
    return catalog;
  }

  /** Starts a backup; returns its job once enqueued on the node. */
  public JobView startBackup(
      String node,
      BackupType type,
      Compression wire,
      String contentCompression,
      Map<String, String> params,
      String idempotencyKey,
      String submittedBy) {
    NodeConfig n = config.node(node);
    TakeBackup.Request req =
        new TakeBackup.Request(
            n, type, wire, contentCompression, params, BACKUP_TIMEOUT, submittedBy, idempotencyKey);
    CompletableFuture<Job> enqueued = new CompletableFuture<>();
    threads.execute(
        () -> {
          try {
            TakeBackup.Result r = takeBackup.run(req, watcher(enqueued, n.name(), "backup"));
            metrics.lastBackupResult(n.name(), type.label(), true, r.backup().time());
            metrics.newestGoodBackup(n.name(), type.label(), r.backup().time());
            metrics.streamBytes(n.name(), "in", "backup", r.backup().manifest().bytes());
            LOG.info("{} backup of {} stored as {}", type.label(), n.name(), r.backup().id());
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            enqueued.completeExceptionally(e);
          } catch (RuntimeException e) {
            metrics.lastBackupResult(n.name(), type.label(), false, java.time.Instant.now());
            LOG.warn("{} backup of {} failed: {}", type.label(), n.name(), e.getMessage());
            enqueued.completeExceptionally(e);
          }
        });
    return new JobView(n.name(), await(enqueued, "the " + type.label() + " backup of " + n.name()));
  }

  /** Starts a log collection; returns its job once enqueued on the node. */
  public JobView startLogs(
      String node, LogKind kind, boolean rotate, String idempotencyKey, String submittedBy) {
    NodeConfig n = config.node(node);
    CollectLog.Request req =
        new CollectLog.Request(
            n, kind, rotate, Compression.ZSTD, LOG_TIMEOUT, submittedBy, idempotencyKey);
    CompletableFuture<Job> enqueued = new CompletableFuture<>();
    threads.execute(
        () -> {
          try {
            collectLog.run(req, watcher(enqueued, n.name(), "log"));
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            enqueued.completeExceptionally(e);
          } catch (RuntimeException e) {
            LOG.warn("collecting the {} log of {} failed: {}", kind, n.name(), e.getMessage());
            enqueued.completeExceptionally(e);
          }
        });
    return new JobView(n.name(), await(enqueued, "collecting the " + kind + " log of " + n.name()));
  }

  /**
   * Starts a reseed (or flashback); returns the joiner's job once the preflight passed and it is
   * enqueued.
   */
  public JobView startReseed(Reseed.Request request, Compression wire) {
    Reseed verb = verbs.reseed(wire);
    CompletableFuture<JobView> enqueued = new CompletableFuture<>();
    threads.execute(
        () -> {
          try {
            Reseed.Outcome o =
                verb.run(
                    request,
                    new Reseed.Listener() {
                      @Override
                      public void note(String message) {
                        LOG.info("reseed of {}: {}", request.node(), message);
                      }

                      @Override
                      public void progress(JobView joinerJob) {}

                      @Override
                      public void enqueued(JobView joinerJob) {
                        enqueued.complete(joinerJob);
                      }
                    });
            LOG.info(
                "reseed of {} {}: {}",
                request.node(),
                o.joinerJob().job().state().label(),
                o.joinerJob().job().result());
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            enqueued.completeExceptionally(e);
          } catch (RuntimeException e) {
            LOG.warn("reseed of {} failed: {}", request.node(), e.getMessage());
            enqueued.completeExceptionally(e);
          }
        });
    try {
      return enqueued.get(ENQUEUE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw DbJobsException.from(
          e.getCause(), "the reseed of " + request.node() + " could not start");
    } catch (TimeoutException e) {
      throw new DbJobsException(
          ErrorCode.TIMEOUT,
          "the reseed of "
              + request.node()
              + " was not enqueued within "
              + Durations.human(ENQUEUE_WAIT),
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DbJobsException(
          ErrorCode.INTERNAL, "interrupted while starting the reseed of " + request.node(), e);
    }
  }

  @Override
  public void backup(ScheduledRun run) {
    startBackup(
        run.node(),
        BackupType.parse(run.backupType()),
        Compression.NONE,
        null,
        run.params(),
        run.idempotencyKey(),
        run.submittedBy());
  }

  @Override
  public void collect(ScheduledRun run) {
    LogKind kind = run.task() == io.dbjobs.common.job.Task.SLOWQUERY ? LogKind.SLOW : LogKind.ERROR;
    boolean rotate =
        !"false".equals(run.params().get(io.dbjobs.common.job.TaskStreamParams.ROTATE));
    startLogs(run.node(), kind, rotate, run.idempotencyKey(), run.submittedBy());
  }

  private ReceivingJob.Watcher watcher(CompletableFuture<Job> enqueued, String node, String kind) {
    return new ReceivingJob.Watcher() {
      private long lastBytes;

      @Override
      public void submitted(Job job) {
        enqueued.complete(job);
      }

      @Override
      public void update(Job job, StreamProgress received) {
        if (received != null && received.bytes() > lastBytes) {
          metrics.streamBytes(node, "in", kind, received.bytes() - lastBytes);
          lastBytes = received.bytes();
        }
      }
    };
  }

  private static Job await(CompletableFuture<Job> enqueued, String what) {
    try {
      return enqueued.get(ENQUEUE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw DbJobsException.from(e.getCause(), what + " could not start");
    } catch (TimeoutException e) {
      throw new DbJobsException(
          ErrorCode.TIMEOUT, what + " was not enqueued within " + Durations.human(ENQUEUE_WAIT), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DbJobsException(ErrorCode.INTERNAL, "interrupted while starting " + what, e);
    }
  }

  /** Idempotent: the daemon closes each integration it was given, and this one is given thrice. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    threads.shutdownNow();
    receiver.close();
  }
}
