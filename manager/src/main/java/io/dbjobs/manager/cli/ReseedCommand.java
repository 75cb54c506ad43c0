package io.dbjobs.manager.cli;

import io.dbjobs.manager.reseed.Reseed;
import io.dbjobs.manager.reseed.ReseedMethod;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(
    name = "reseed",
    mixinStandardHelpOptions = true,
    description = {
      "Rebuild a broken or new replica and put it back into replication, without losing the data it"
          + " had if anything goes wrong: the joiner keeps its old data until the new data serves"
          + " (physical) or has loaded (logical), and puts it back otherwise.",
      "",
      "Methods:",
      "  physicalbackup  the latest good physical backup of the cluster from the catalog (or --backup)",
      "  logicalbackup   the same with a logical backup",
      "  logicalmaster   the manager dumps the current primary and pipes it to the joiner; nothing staged",
      "  physicaldonor   a donor's mariadb-backup stream goes straight to the joiner (default donor:"
          + " the healthiest replica; --donor may name a node of another cluster)",
      "",
      "Before anything on the joiner is touched, dbjobs refuses to reseed the current primary"
          + " (without --force), a node with another destructive job, a joiner without disk for the"
          + " data, a backup older than the primary's oldest binary log, and incompatible versions.",
      ""
    },
    footer = {
      "",
      "Examples:",
      "  dbjobs reseed --node db2 --method physicaldonor",
      "  dbjobs reseed --node db2 --method logicalmaster --keep-old-datadir",
      "",
      "Exit status: 0 the node replicates and caught up; 1 the reseed failed (the old data is kept);"
          + " 7 refused by a preflight check."
    })
final class ReseedCommand implements Callable<Integer> {
  @ParentCommand DbJobsCli root;
  @Spec CommandSpec spec;
  @Mixin WaitOption waitOption;
  @Mixin RebuildOptions rebuild;

  @Option(
      names = "--node",
      required = true,
      paramLabel = "NODE",
      description = "the node to rebuild (the joiner)")
  String node;

  @Option(
      names = "--method",
      required = true,
      paramLabel = "METHOD",
      description = "physicalbackup, logicalbackup, logicalmaster or physicaldonor")
  String method;

  @Option(
      names = "--donor",
      paramLabel = "NODE",
      description = "physicaldonor: the node to copy (default: the healthiest replica)")
  String donor;

  @Option(
      names = "--backup",
      paramLabel = "ID",
      description =
          "physicalbackup/logicalbackup: this catalog backup (default: the latest good one)")
  String backup;

  @Option(
      names = "--force",
      description = "reseed even the node that looks like the primary (with --primary)")
  boolean force;

  @Option(
      names = "--mariadb-dump",
      paramLabel = "PATH",
      defaultValue = "/usr/bin/mariadb-dump",
      description = "logicalmaster: the dump tool on this host (default ${DEFAULT-VALUE})")
  Path mariadbDump;

  @Override
  public Integer call() throws InterruptedException {
    return ReseedRunner.run(
        root,
        spec.commandLine().getOut(),
        new Reseed.Request(
            node,
            ReseedMethod.parse(method),
            donor,
            backup,
            rebuild.primary,
            force,
            rebuild.keepOld,
            DbJobsCli.who(),
            false,
            Reseed.Position.parse(rebuild.position),
            rebuild.binlogAt),
        mariadbDump,
        rebuild,
        waitOption);
  }
}
