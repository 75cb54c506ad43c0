package io.dbjobs.manager.cli;

import picocli.CommandLine.Option;

/**
 * The options {@code reseed} and {@code flashback} share: both rebuild a node and reposition it
 * ({@link ReseedRunner}).
 */
final class RebuildOptions {
  @Option(
      names = "--primary",
      paramLabel = "NODE",
      description = "the primary to follow (default: detected among the other nodes)")
  String primary;

  @Option(
      names = "--keep-old-datadir",
      description =
          "keep the replaced data after success (default: the agent's reseed.keepOldDatadir)")
  Boolean keepOld;

  @Option(
      names = "--compression",
      defaultValue = "none",
      paramLabel = "none|zstd|lz4",
      description =
          "compression on the wire (default ${DEFAULT-VALUE}; zstd or lz4 across slow links)")
  String compression = "none";

  @Option(
      names = "--position",
      defaultValue = "gtid",
      paramLabel = "gtid|binlog",
      description =
          "how the rebuilt node is positioned on the primary: gtid (default), or binlog: by the"
              + " data's binary log file:position, for data taken from the primary (logicalmaster,"
              + " or physicaldonor --donor <primary>)")
  String position = "gtid";

  @Option(
      names = "--binlog",
      paramLabel = "FILE:POS",
      description =
          "start replicating from this binary log file:position on the primary, in place of the"
              + " data's own (implies --position binlog; you vouch that the data is exactly there)")
  String binlogAt;

  @Option(names = "--json", description = "print the rebuilt node's job as JSON at the end")
  boolean json;
}
