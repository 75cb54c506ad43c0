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
    name = "flashback",
    mixinStandardHelpOptions = true,
    description = {
      "Rejoin an old primary as a replica of the current one, from its own latest good backup in"
          + " the catalog (physical by default) or a named one, then reposition it from that"
          + " backup's GTID. The node keeps its data until the restored data serves; the"
          + " transactions it had that the new primary never got are discarded with it.",
      ""
    },
    footer = {
      "",
      "Example:",
      "  dbjobs flashback --node db1            (db1 was the primary before a failover)"
    })
final class FlashbackCommand implements Callable<Integer> {
  @ParentCommand DbJobsCli root;
  @Spec CommandSpec spec;
  @Mixin WaitOption waitOption;
  @Mixin RebuildOptions rebuild;

  @Option(
      names = "--node",
      required = true,
      paramLabel = "NODE",
      description = "the old primary to rejoin")
  String node;

  @Option(
      names = "--backup",
      paramLabel = "ID",
      description = "this catalog backup (default: the node's latest good one)")
  String backup;

  @Option(
      names = "--logical",
      description = "use the node's latest logical backup instead of a physical one")
  boolean logical;

  @Override
  public Integer call() throws InterruptedException {
    ReseedMethod m = logical ? ReseedMethod.LOGICALBACKUP : ReseedMethod.PHYSICALBACKUP;
    return ReseedRunner.run(
        root,
        spec.commandLine().getOut(),
        new Reseed.Request(
            node,
            m,
            null,
            backup,
            rebuild.primary,
            false,
            rebuild.keepOld,
            DbJobsCli.who(),
            true,
            Reseed.Position.parse(rebuild.position),
            rebuild.binlogAt),
        Path.of("/usr/bin/mariadb-dump"),
        rebuild,
        waitOption);
  }
}
