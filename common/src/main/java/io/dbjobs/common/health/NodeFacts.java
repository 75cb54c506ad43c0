package io.dbjobs.common.health;

import io.dbjobs.common.backup.ServerFlavor;
import java.util.List;

/**
 * What a server says about its replication at one moment; the input of every diagnosis. Strings are
 * as the server returns them (empty when unset), never null.
 *
 * @param channels every replication connection (MariaDB multi-source) or channel (MySQL); empty
 *     when the node replicates from nobody, or when they were not read (a primary read through the
 *     replication user)
 * @param gtidBinlogPos MariaDB {@code @@gtid_binlog_pos}; empty on MySQL
 * @param gtidBinlogState MariaDB {@code @@gtid_binlog_state}: the last GTID of every domain and
 *     server id in the binary log; empty on MySQL
 * @param gtidSlavePos MariaDB {@code @@gtid_slave_pos}; empty on MySQL
 * @param gtidCurrentPos MariaDB {@code @@gtid_current_pos}; empty on MySQL
 * @param gtidExecuted MySQL {@code @@GLOBAL.gtid_executed}; empty on MariaDB
 * @param gtidPurged MySQL {@code @@GLOBAL.gtid_purged}; empty on MariaDB
 * @param oldestBinlog the oldest binary log still on the server; null when not read or none
 */
public record NodeFacts(
    ServerFlavor flavor,
    String version,
    long serverId,
    boolean readOnly,
    boolean logBin,
    List<ReplicaChannel> channels,
    String gtidBinlogPos,
    String gtidBinlogState,
    String gtidSlavePos,
    String gtidCurrentPos,
    String gtidExecuted,
    String gtidPurged,
    OldestBinlog oldestBinlog) {

  public NodeFacts {
    channels = List.copyOf(channels);
    gtidBinlogPos = nz(gtidBinlogPos);
    gtidBinlogState = nz(gtidBinlogState);
    gtidSlavePos = nz(gtidSlavePos);
    gtidCurrentPos = nz(gtidCurrentPos);
    gtidExecuted = nz(gtidExecuted);
    gtidPurged = nz(gtidPurged);
  }

  /**
   * The oldest binary log a server still has.
   *
   * @param gtidState MariaDB: {@code BINLOG_GTID_POS(file, 4)}, the GTID state before its first
   *     event (the log holds every transaction after it); empty on MySQL (see {@code gtidPurged})
   */
  public record OldestBinlog(String file, String gtidState) {
    public OldestBinlog {
      gtidState = nz(gtidState);
    }
  }

  public boolean mariadb() {
    return flavor == ServerFlavor.MARIADB;
  }

  /** The GTID position this node has applied: {@code gtid_current_pos} or {@code gtid_executed}. */
  public String position() {
    return mariadb() ? gtidCurrentPos : gtidExecuted;
  }

  /** The channel with this name, or null. */
  public ReplicaChannel channel(String name) {
    return channels.stream().filter(c -> c.name().equals(name)).findFirst().orElse(null);
  }

  private static String nz(String s) {
    return s == null ? "" : s.trim();
  }
}
