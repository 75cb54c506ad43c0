package io.dbjobs.manager.cli;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.stream.Compression;
import io.dbjobs.common.time.Durations;
import io.dbjobs.common.time.Steps;
import io.dbjobs.common.units.Sizes;
import io.dbjobs.manager.api.ApiFleet;
import io.dbjobs.manager.api.ManagerApi;
import io.dbjobs.manager.backup.TakeBackup;
import io.dbjobs.manager.catalog.BackupCatalog;
import io.dbjobs.manager.catalog.BackupEntry;
import io.dbjobs.manager.catalog.BackupJson;
import io.dbjobs.manager.catalog.BackupType;
import io.dbjobs.manager.catalog.Manifest;
import io.dbjobs.manager.config.ManagerConfig;
import io.dbjobs.manager.config.NodeConfig;
import io.dbjobs.manager.fleet.JobView;
import io.dbjobs.manager.fleet.NodeConnections;
import io.dbjobs.manager.receive.Receiver;
import io.dbjobs.manager.work.Verbs;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(
    mixinStandardHelpOptions = true,
    name = "backup",
    description = {
      "Take a backup of a node into the backup catalog, and wait until it is stored.",
      "",
      "The node's agent runs mariadb-backup (physical) or mariadb-dump (logical) and streams the"
          + " result to this command, which listens on receiver.port and tells the agent to connect"
          + " to receiver.advertise. The backup is stored in catalog.dir/<cluster>/<node>/<id>/;"
          + " its manifest.json (tool and server versions, size, SHA-256, GTID and binlog"
          + " position) is written last, once count and digest were verified. A failed backup"
          + " leaves nothing in the catalog, and its job is cancelled if it still runs.",
      "",
      "Afterwards retention runs for that node and type: it keeps the last"
          + " catalog.retention.keepLast backups, one per day for keepDaily days and one per week"
          + " for keepWeekly weeks, and never the node's newest good backup."
    },
    footer = {
      "",
      "Examples:",
      "  dbjobs backup --node db2 --type physical",
      "  dbjobs backup --node db2 --type logical --compression zstd --json",
      "  dbjobs backup --node db2 --type physical --param parallel=4",
      "",
      "Exit status: 0 the backup is stored and its job succeeded; 1 the backup failed (or is"
          + " stored but its job reported a failure afterwards); 3 this command cannot listen on"
          + " receiver.bind/receiver.port (a dbjobs serve holds it?); 4 the node cannot be"
          + " reached; 6 timed out."
    })
final class BackupCommand implements Callable<Integer> {
  @ParentCommand DbJobsCli root;
  @Spec CommandSpec spec;
  @Mixin WaitOption waitOption;

  @Option(
      names = "--node",
      required = true,
      paramLabel = "NODE",
      description = "the node to back up (name or cluster/name)")
  String node;

  @Option(
      names = "--type",
      required = true,
      paramLabel = "TYPE",
      description = "physical (mariadb-backup, xbstream) or logical (mariadb-dump, SQL)")
  String type;

  @Option(
      names = "--compression",
      defaultValue = "none",
      paramLabel = "C",
      description = "compression on the wire: none, zstd or lz4 (default ${DEFAULT-VALUE})")
  String compression;

  @Option(
      names = "--content-compression",
      defaultValue = "zstd",
      paramLabel = "C",
      description =
          "logical backups: how the stored dump is compressed, zstd or none (default"
              + " ${DEFAULT-VALUE})")
  String contentCompression;

  @Option(
      names = "--param",
      paramLabel = "KEY=VALUE",
      description = "a further task parameter, e.g. parallel=4 (physical), databases=app (logical)")
  Map<String, String> params = new LinkedHashMap<>();

  @Option(
      names = "--timeout",
      defaultValue = "24h",
      paramLabel = "DURATION",
      description =
          "give up (cancel the job, discard the backup) after this long (default"
              + " ${DEFAULT-VALUE})")
  String timeout;

  @Option(names = "--json", description = "print the stored backup as JSON for scripts")
  boolean json;

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    ApiFleet api = ThroughDaemon.api(root);
    if (api != null) {
      JobView last =
          ThroughDaemon.startAndFollow(
              api,
              ManagerApi.BACKUPS,
              new ManagerApi.BackupBody(
                  node, type, compression, contentCompression, params, null, DbJobsCli.who()),
              out,
              json,
              timeout,
              waitOption.wait);
      return ThroughDaemon.finish(out, last, json, ThroughDaemon.backupOfJob(api, last));
    }
    waitOption.requireWaitWhenDirect("dbjobs backup");
    ManagerConfig config = root.config();
    Steps.mark("config read");
    NodeConfig n = config.node(node);
    BackupType t = BackupType.parse(type);
    TakeBackup.Request request =
        new TakeBackup.Request(
            n,
            t,
            Compression.parse(compression),
            contentCompression,
            params,
            Durations.parse(timeout),
            DbJobsCli.who());
    BackupCatalog catalog = new BackupCatalog(config.catalogDir());
    TakeBackup.Result r;
    try (NodeConnections connections = new NodeConnections(config);
        Receiver receiver = Receiver.open(config.receiver())) {
      PrintWriter progressOut = json ? new PrintWriter(PrintWriter.nullWriter()) : out;
      StreamWatcher watcher =
          new StreamWatcher(
              n.name(),
              receiver.advertisedAddress(),
              progressOut,
              !json && System.console() != null);
      Steps.mark("receiver listening");
      TakeBackup backup = new Verbs(config, connections, receiver, Clock.systemUTC()).takeBackup();
      InterruptOnExit guard = InterruptOnExit.install();
      try {
        r = backup.run(request, watcher);
      } finally {
        guard.close();
        watcher.done();
      }
    } catch (InterruptedException e) {
      throw new DbJobsException(
          ErrorCode.CANCELLED,
          "interrupted: the "
              + t
              + " backup of "
              + n.name()
              + " was abandoned, its job"
              + " cancelled, nothing kept");
    }
    Steps.afterJobEnd("receiver and connections closed", r.job().ended());
    if (json) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("backup", BackupJson.backup(r.backup()));
      m.put("job", Json.job(new JobView(n.name(), r.job()), Instant.now()));
      m.put("jobProblem", r.jobProblem());
      m.put(
          "retentionDeleted",
          r.retention() == null
              ? List.of()
              : r.retention().deleted().stream().map(BackupEntry::id).toList());
      m.put("retentionProblem", r.retentionProblem());
      out.println(Json.write(m));
    } else {
      out.println(summary(r.backup()));
      out.println(JobWaiter.summary(new JobView(n.name(), r.job()), Instant.now()));
      if (r.retention() != null) {
        List<String> gone = r.retention().deleted().stream().map(BackupEntry::id).toList();
        out.println(
            "retention ("
                + config.retention().describe()
                + "): "
                + (gone.isEmpty() ? "nothing to delete" : "deleted " + String.join(", ", gone)));
      }
      if (r.retentionProblem() != null) {
        out.println("warning: " + r.retentionProblem());
      }
      if (r.jobProblem() != null) {
        out.println("warning: the backup is stored and verified, but " + r.jobProblem());
      }
    }
    out.flush();
    Steps.afterJobEnd("printed", r.job().ended());
    return r.jobProblem() == null ? 0 : 1;
  }

  /** "backup ID stored: 812 MiB, sha256 ..., GTID 0-1-9, mysql-bin.000002:816, in DIR". */
  static String summary(BackupEntry e) {
    Manifest m = e.manifest();
    return "backup "
        + e.id()
        + " stored: "
        + Sizes.human(m.bytes())
        + ", sha256 "
        + m.sha256()
        + ", "
        + m.position()
        + "\n  in "
        + e.dir();
  }
}
