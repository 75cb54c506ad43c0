package io.dbjobs.manager.cli;

import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.units.Sizes;
import io.dbjobs.manager.backup.ImportBackup;
import io.dbjobs.manager.backup.PruneBackups;
import io.dbjobs.manager.backup.VerifyBackup;
import io.dbjobs.manager.catalog.BackupCatalog;
import io.dbjobs.manager.catalog.BackupEntry;
import io.dbjobs.manager.catalog.BackupJson;
import io.dbjobs.manager.catalog.BackupType;
import io.dbjobs.manager.catalog.RetentionPolicy;
import io.dbjobs.manager.config.ManagerConfig;
import io.dbjobs.manager.config.NodeConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(
    mixinStandardHelpOptions = true,
    name = "backups",
    subcommands = {
      BackupsCommand.Verify.class,
      BackupsCommand.Prune.class,
      BackupsCommand.Import.class
    },
    description = {
      "List the backup catalog (catalog.dir): complete backups newest first, with size, position"
          + " and status, then incomplete ones.",
      "A complete backup has a manifest.json, written last once its bytes were verified. An"
          + " incomplete one (no manifest) is being received, or was left by a manager that died"
          + " mid-stream; it is never restored from, and prune removes it once untouched for an"
          + " hour.",
      "Status: stored (verified on arrival), verified (re-checked by backups verify since),"
          + " FAILED-VERIFY (not restorable; retention does not count it)."
    },
    footer = {
      "",
      "Examples:",
      "  dbjobs backups",
      "  dbjobs backups --node db2 --json",
      "  dbjobs backups verify 20261123T050102Z-db2-physical",
      "  dbjobs backups prune --dry-run",
      "  dbjobs backups import --node db2 --type physical /srv/backups/db2-full",
      "  dbjobs backups import --node db2 --type logical /srv/dumps/db2.sql.gz"
    })
final class BackupsCommand implements Callable<Integer> {
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);

  @ParentCommand DbJobsCli root;
  @Spec CommandSpec spec;

  @Option(names = "--node", paramLabel = "NODE", description = "only this node's backups")
  String node;

  @Option(names = "--json", description = "print JSON for scripts")
  boolean json;

  BackupCatalog catalog() {
    return new BackupCatalog(root.config().catalogDir());
  }

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    List<BackupEntry> all = catalog().list();
    if (node != null) {
      NodeConfig n = root.config().node(node);
      all =
          all.stream()
              .filter(e -> e.node().equals(n.name()) && e.cluster().equals(n.cluster()))
              .toList();
    }
    List<BackupEntry> complete = all.stream().filter(BackupEntry::complete).toList();
    List<BackupEntry> incomplete = all.stream().filter(e -> !e.complete()).toList();
    if (json) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("backups", complete.stream().map(BackupJson::backup).toList());
      m.put("incomplete", incomplete.stream().map(BackupJson::backup).toList());
      out.println(Json.write(m));
      out.flush();
      return 0;
    }
    if (complete.isEmpty()) {
      out.println(
          "no complete backups in "
              + root.config().catalogDir()
              + (node == null ? "" : " for " + node)
              + "; take one with: dbjobs backup --node NODE --type physical");
    } else {
      Table t =
          new Table("ID", "CLUSTER", "NODE", "TYPE", "TAKEN (UTC)", "SIZE", "POSITION", "STATUS");
      for (BackupEntry e : complete) {
        t.row(
            e.id(),
            e.cluster(),
            e.node(),
            e.type(),
            TIME.format(e.time()),
            Sizes.human(e.manifest().bytes()),
            position(e),
            e.status());
      }
      t.print(out);
    }
    if (!incomplete.isEmpty()) {
      out.println();
      out.println("incomplete (no manifest; never restored from):");
      Table t = new Table("ID", "CLUSTER", "NODE", "LAST WRITTEN (UTC)", "STATE");
      Instant abandonedBefore = Instant.now().minus(PruneBackups.ABANDONED_AFTER);
      for (BackupEntry e : incomplete) {
        t.row(
            e.id(),
            e.cluster(),
            e.node(),
            TIME.format(e.lastModified()),
            e.lastModified().isBefore(abandonedBefore)
                ? "abandoned (prune removes it)"
                : "in progress");
      }
      t.print(out);
    }
    out.flush();
    return 0;
  }

  static String position(BackupEntry e) {
    var p = e.manifest().position();
    if (!p.isKnown()) {
      return "unknown";
    }
    String s = p.gtid() != null ? p.gtid() : "";
    if (p.binlogFile() != null) {
      s += (s.isEmpty() ? "" : " ") + p.binlogFile() + ":" + p.binlogPos();
    }
    return s;
  }

  @Command(
      mixinStandardHelpOptions = true,
      name = "verify",
      description = {
        "Re-read a stored backup and compare it with its manifest: size, SHA-256, and that its"
            + " content is whole (an xbstream that ends on a chunk boundary, a dump that ends with"
            + " '-- Dump completed') at the manifest's position.",
        "The outcome is kept in the backup's verify.json. A backup that fails is no longer"
            + " restorable and retention no longer counts it, until a later verify passes."
      },
      footer = {
        "",
        "Examples:",
        "  dbjobs backups verify 20261123T050102Z-db2-physical",
        "  dbjobs backups verify --all --node db2",
        "",
        "Exit status: 0 everything matches; 1 a mismatch (DIGEST_MISMATCH); 5 no such backup."
      })
  static final class Verify implements Callable<Integer> {
    @ParentCommand BackupsCommand parent;
    @Spec CommandSpec spec;

    @Parameters(
        index = "0",
        arity = "0..1",
        paramLabel = "ID",
        description = "the backup id (see dbjobs backups)")
    String id;

    @Option(names = "--all", description = "verify every complete backup (of --node, if given)")
    boolean all;

    @Option(names = "--node", paramLabel = "NODE", description = "with --all: only this node")
    String node;

    @Option(names = "--json", description = "print the outcome as JSON")
    boolean json;

    @Override
    public Integer call() {
      if ((id == null) == !all) {
        throw new picocli.CommandLine.ParameterException(
            spec.commandLine(), "give a backup id, or --all (not both)");
      }
      PrintWriter out = spec.commandLine().getOut();
      BackupCatalog catalog = parent.catalog();
      List<String> ids = new ArrayList<>();
      if (id != null) {
        ids.add(id);
      } else {
        String only = node == null ? null : parent.root.config().node(node).name();
        catalog.list().stream()
            .filter(BackupEntry::complete)
            .filter(e -> only == null || e.node().equals(only))
            .forEach(e -> ids.add(e.id()));
      }
      VerifyBackup verify = new VerifyBackup(catalog, Clock.systemUTC());
      List<Map<String, Object>> results = new ArrayList<>();
      int failed = 0;
      for (String i : ids) {
        VerifyBackup.Result r = verify.run(i);
        if (!r.ok()) {
          failed++;
        }
        if (json) {
          Map<String, Object> m = new LinkedHashMap<>();
          m.put("id", i);
          m.put("ok", r.ok());
          m.put("bytes", r.bytes());
          m.put("sha256", r.sha256());
          m.put("expectedSha256", r.backup().manifest().sha256());
          m.put("problems", r.problems());
          m.put("seconds", r.took().toMillis() / 1000.0);
          results.add(m);
        } else {
          out.println(VerifyBackup.describe(r));
          out.flush();
        }
      }
      if (json) {
        out.println(Json.write(id != null ? results.get(0) : results));
      } else if (all) {
        out.println(ids.size() + " backups verified, " + failed + " failed");
      }
      out.flush();
      if (failed > 0) {
        spec.commandLine()
            .getErr()
            .println(
                "dbjobs: "
                    + failed
                    + " backup"
                    + (failed == 1 ? "" : "s")
                    + " did not match "
                    + (failed == 1 ? "its" : "their")
                    + " manifest (DIGEST_MISMATCH)");
        spec.commandLine().getErr().flush();
        return ErrorCode.DIGEST_MISMATCH.exitStatus();
      }
      return 0;
    }
  }

  @Command(
      mixinStandardHelpOptions = true,
      name = "prune",
      description = {
        "Apply retention to the whole catalog (or one node): per node and type keep the last"
            + " catalog.retention.keepLast backups, the newest of each of the last keepDaily days"
            + " and of each of the last keepWeekly ISO weeks (UTC), and always the newest good"
            + " one; delete the rest. Backups that failed verification count for nothing and go.",
        "Also removes incomplete folders untouched for an hour (left by a manager that died"
            + " mid-stream). Retention also runs by itself after every successful backup."
      },
      footer = {
        "",
        "Examples:",
        "  dbjobs backups prune --dry-run",
        "  dbjobs backups prune --node db2"
      })
  static final class Prune implements Callable<Integer> {
    @ParentCommand BackupsCommand parent;
    @Spec CommandSpec spec;

    @Option(names = "--dry-run", description = "only show what would be deleted and why")
    boolean dryRun;

    @Option(names = "--node", paramLabel = "NODE", description = "only this node")
    String node;

    @Option(names = "--json", description = "print the decisions as JSON")
    boolean json;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      ManagerConfig config = parent.root.config();
      String only = node == null ? null : config.node(node).name();
      PruneBackups prune =
          new PruneBackups(parent.catalog(), config.retention(), Clock.systemUTC());
      PruneBackups.Plan plan = prune.plan(only);
      PruneBackups.Applied applied = dryRun ? null : prune.apply(plan);
      if (json) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("dryRun", dryRun);
        m.put("retention", config.retention().describe());
        List<Map<String, Object>> ds = new ArrayList<>();
        for (RetentionPolicy.Decision d : plan.decisions()) {
          Map<String, Object> dm = new LinkedHashMap<>();
          dm.put("id", d.entry().id());
          dm.put("keep", d.keep());
          dm.put("reasons", d.reasons());
          ds.add(dm);
        }
        m.put("decisions", ds);
        m.put("abandoned", plan.abandoned().stream().map(BackupEntry::id).toList());
        m.put("inProgress", plan.inProgress().stream().map(BackupEntry::id).toList());
        m.put("failures", applied == null ? Map.of() : applied.failures());
        out.println(Json.write(m));
      } else {
        out.println(
            (dryRun ? "dry run, nothing deleted; " : "")
                + "retention: "
                + config.retention().describe());
        for (RetentionPolicy.Decision d : plan.decisions()) {
          out.println(
              (d.keep() ? "  keep    " : dryRun ? "  would delete " : "  deleted ")
                  + d.entry().id()
                  + "  ("
                  + String.join(", ", d.reasons())
                  + ")");
        }
        for (BackupEntry e : plan.abandoned()) {
          out.println(
              (dryRun ? "  would remove " : "  removed ")
                  + e.id()
                  + "  (incomplete, untouched since "
                  + TIME.format(e.lastModified())
                  + " UTC"
                  + ")");
        }
        for (BackupEntry e : plan.inProgress()) {
          out.println("  leave   " + e.id() + "  (incomplete, being written)");
        }
        if (applied != null) {
          applied
              .failures()
              .forEach((i, why) -> out.println("  FAILED to delete " + i + ": " + why));
        }
      }
      out.flush();
      if (applied != null && !applied.failures().isEmpty()) {
        return ErrorCode.CATALOG_ERROR.exitStatus();
      }
      return 0;
    }
  }

  @Command(
      mixinStandardHelpOptions = true,
      name = "import",
      description = {
        "Register a backup taken outside dbjobs: copy it into the catalog under NODE, hash it,"
            + " read its position from its own bytes, write its manifest.",
        "physical: an xbstream file (mariadb-backup --backup --stream=xbstream > FILE), or a"
            + " folder made by mariadb-backup/xtrabackup --target-dir, prepared or not (stored as"
            + " an xbstream; position from its xtrabackup_binlog_info).",
        "logical: a dump by mariadb-dump/mysqldump, plain, gzip or zstd (told by content, not"
            + " name); it must end with '-- Dump completed'. Take dumps with --master-data=2"
            + " --gtid (MySQL: --source-data=2) so they carry a position. gzip is re-compressed"
            + " as zstd.",
        "The backup's time (its id) is the source's modification time, so retention sees its"
            + " real age."
      },
      footer = {
        "",
        "Examples:",
        "  dbjobs backups import --node db2 --type physical /srv/backups/db2.xbstream",
        "  dbjobs backups import --node db2 --type physical /srv/backups/db2-full/",
        "  dbjobs backups import --node db2 --type logical /srv/dumps/db2.sql.gz"
      })
  static final class Import implements Callable<Integer> {
    @ParentCommand BackupsCommand parent;
    @Spec CommandSpec spec;

    @Option(
        names = "--node",
        required = true,
        paramLabel = "NODE",
        description = "the node the backup was taken from")
    String node;

    @Option(
        names = "--type",
        required = true,
        paramLabel = "TYPE",
        description = "physical (xbstream file or backup folder) or logical (SQL dump)")
    String type;

    @Parameters(index = "0", paramLabel = "PATH", description = "the file or folder to import")
    Path path;

    @Option(names = "--json", description = "print the imported backup as JSON")
    boolean json;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      NodeConfig n = parent.root.config().node(node);
      ImportBackup.Result r =
          new ImportBackup(parent.catalog(), Clock.systemUTC())
              .run(n, BackupType.parse(type), path);
      if (json) {
        Map<String, Object> m = new LinkedHashMap<>(BackupJson.backup(r.backup()));
        m.put("notes", r.notes());
        out.println(Json.write(m));
      } else {
        out.println(BackupCommand.summary(r.backup()).replace(" stored: ", " imported: "));
        r.notes().forEach(note -> out.println("note: " + note));
      }
      out.flush();
      return 0;
    }
  }
}
