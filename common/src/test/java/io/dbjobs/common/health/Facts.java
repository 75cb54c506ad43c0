package io.dbjobs.common.health;

import io.dbjobs.common.backup.ServerFlavor;
import java.util.ArrayList;
import java.util.List;

/** Builds {@link NodeFacts} and {@link ReplicaChannel}s for tests: a healthy node by default. */
final class Facts {
  private ServerFlavor flavor = ServerFlavor.MARIADB;
  private long serverId = 2;
  private boolean readOnly = true;
  private final List<ReplicaChannel> channels = new ArrayList<>();
  private String binlogPos = "";
  private String binlogState = "";
  private String slavePos = "";
  private String currentPos = "";
  private String executed = "";
  private String purged = "";
  private NodeFacts.OldestBinlog oldest;

  static Facts mariadb(long serverId) {
    Facts f = new Facts();
    f.serverId = serverId;
    return f;
  }

  static Facts mysql(long serverId) {
    Facts f = mariadb(serverId);
    f.flavor = ServerFlavor.MYSQL;
    return f;
  }

  Facts readOnly(boolean ro) {
    this.readOnly = ro;
    return this;
  }

  Facts channel(ReplicaChannel c) {
    channels.add(c);
    return this;
  }

  /** binlog state = binlog pos = the given list; slave and current pos as given. */
  Facts gtids(String binlogState, String slavePos, String currentPos) {
    this.binlogState = binlogState;
    this.binlogPos = binlogState;
    this.slavePos = slavePos;
    this.currentPos = currentPos;
    return this;
  }

  Facts executed(String executed, String purged) {
    this.executed = executed;
    this.purged = purged;
    return this;
  }

  Facts oldestBinlog(String file, String state) {
    this.oldest = new NodeFacts.OldestBinlog(file, state);
    return this;
  }

  NodeFacts build() {
    return new NodeFacts(
        flavor,
        flavor == ServerFlavor.MARIADB ? "10.11.6-MariaDB-log" : "8.0.36",
        serverId,
        readOnly,
        true,
        channels,
        binlogPos,
        binlogState,
        slavePos,
        currentPos,
        executed,
        purged,
        oldest);
  }

  /** A running connection from 10.0.0.1:3306 (server id 1), 0 s behind. */
  static ReplicaChannel running(String name) {
    return channel(name, "10.0.0.1", 1, ThreadState.RUNNING, ThreadState.RUNNING, 0, "", 0, "", 0L);
  }

  static ReplicaChannel channel(
      String name,
      String host,
      long serverId,
      ThreadState io,
      ThreadState sql,
      int ioErrno,
      String ioError,
      int sqlErrno,
      String sqlError,
      Long lag) {
    return new ReplicaChannel(
        name, host, 3306, serverId, io, sql, ioErrno, ioError, sqlErrno, sqlError, lag);
  }
}
