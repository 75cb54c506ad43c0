package io.dbjobs.manager.reseed;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.agentapi.AgentApi;
import io.dbjobs.common.config.Secret;
import io.dbjobs.common.db.SqlErrors;
import io.dbjobs.common.logical.SourceDb;
import io.dbjobs.common.stream.StreamOptions;
import io.dbjobs.common.tool.ToolRunner;
import io.dbjobs.manager.catalog.BackupCatalog;
import io.dbjobs.manager.catalog.BackupEntry;
import io.dbjobs.manager.config.ManagerConfig;
import io.dbjobs.manager.config.NodeConfig;
import io.dbjobs.manager.fleet.AgentClient;
import io.dbjobs.manager.fleet.NodeConnections;
import io.dbjobs.manager.state.OperatorStates;
import io.dbjobs.manager.state.Shun;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Comparator;
import java.util.List;

/**
 * Picks and checks the source of each reseed method: a catalog backup (the latest good one, or the
 * named one), a donor, or a dump of the primary; and refuses one that cannot work.
 */
public final class ReseedSources implements Reseed.Sources {
  private static final org.slf4j.Logger LOG =
      org.slf4j.LoggerFactory.getLogger(ReseedSources.class);

  private final ManagerConfig config;
  private final NodeConnections connections;
  private final BackupCatalog catalog;
  private final Path mariadbDump;
  private final ToolRunner tools;
  private final StreamOptions options;
  private final String wireCompression;
  private final AgentClient agents;

  public ReseedSources(
      ManagerConfig config,
      NodeConnections connections,
      BackupCatalog catalog,
      Path mariadbDump,
      ToolRunner tools,
      StreamOptions options,
      String wireCompression) {
    this.config = config;
    this.connections = connections;
    this.catalog = catalog;
    this.mariadbDump = mariadbDump;
    this.tools = tools;
    this.options = options;
    this.wireCompression = wireCompression;
    this.agents = new AgentClient(config.connectTimeout());
  }

  @Override
  public ReseedSource choose(
      Reseed.Request r, Topology topology, Topology.NodeView joiner, Topology.NodeView primary) {
    return switch (r.method()) {
      case LOGICALMASTER -> {
        requireLoadable(primary.version(), joiner, "the primary " + primary.name());
        if (config.logicalDump().parts() && parallelDumpable(primary.version())) {
          yield new PrimarySnapshotDump(
              primary.node(),
              SourceDb.of(primary.node().database(), config.connectTimeout()),
              config.logicalDump().options(),
              options);
        }
        yield new PrimaryDump(
                primary.node(),
                connections.pool(primary.node()),
                mariadbDump,
                privateDir(),
                tools,
                options)
            .checked();
      }
      case PHYSICALBACKUP, LOGICALBACKUP -> {
        BackupEntry e = backup(r, topology, joiner, r.method().physical());
        checkBackup(e, joiner, primary, r.method().physical());
        yield new CatalogFile(e, options);
      }
      case PHYSICALDONOR -> {
        Topology.NodeView donor = donor(r, topology, joiner, primary);
        if (!java.util.Objects.equals(donor.series(), joiner.series())) {
          throw new DbJobsException(
              ErrorCode.PREFLIGHT_REFUSED,
              "the donor "
                  + donor.name()
                  + " runs "
                  + donor.version()
                  + " and "
                  + joiner.name()
                  + " runs "
                  + joiner.version()
                  + ": a physical copy needs the same major version; use --method logicalmaster");
        }
        yield new DonorStream(
            donor.node(),
            connections.jobs(donor.node()),
            dataBytes(donor.node()),
            wireCompression,
            r.submittedBy(),
            joiner.name() + "," + joiner.node().database().host(),
            Reseed.JOB_TIMEOUT);
      }
    };
  }

  /**
   * The named backup, or the cluster's latest good one of the method's type (the node's own for
   * flashback).
   */
  BackupEntry backup(
      Reseed.Request r, Topology topology, Topology.NodeView joiner, boolean physical) {
    String type = physical ? "physical" : "logical";
    if (r.backupId() != null) {
      BackupEntry e = catalog.require(r.backupId());
      if (!e.good()) {
        throw new DbJobsException(
            ErrorCode.PREFLIGHT_REFUSED,
            "backup " + e.id() + " is " + e.status() + ", not a good backup to restore from");
      }
      if (!type.equals(e.manifest().type())) {
        throw new DbJobsException(
            ErrorCode.PREFLIGHT_REFUSED,
            "backup "
                + e.id()
                + " is "
                + e.manifest().type()
                + "; method "
                + r.method().label()
                + " needs a "
                + type
                + " one");
      }
      return e;
    }
    List<BackupEntry> candidates =
        catalog.list().stream()
            .filter(
                e ->
                    e.cluster().equals(topology.cluster().name())
                        && e.good()
                        && type.equals(e.manifest().type()))
            .filter(e -> !r.flashback() || e.node().equals(joiner.name()))
            .sorted(Comparator.comparing(BackupEntry::time).reversed())
            .toList();
    if (candidates.isEmpty()) {
      throw new DbJobsException(
          ErrorCode.PREFLIGHT_REFUSED,
          "no good "
              + type
              + " backup of "
              + (r.flashback() ? joiner.name() : "cluster " + topology.cluster().name())
              + " in the catalog; take one (dbjobs backup --node <replica> --type "
              + type
              + ")"
              + (r.flashback()
                  ? ""
                  : " or use --method " + (physical ? "physicaldonor" : "logicalmaster")));
    }
    return candidates.get(0);
  }

  void checkBackup(
      BackupEntry e, Topology.NodeView joiner, Topology.NodeView primary, boolean physical) {
    String server = e.manifest().serverVersion();
    if (physical && !java.util.Objects.equals(Topology.NodeView.series(server), joiner.series())) {
      throw new DbJobsException(
          ErrorCode.PREFLIGHT_REFUSED,
          "backup "
              + e.id()
              + " was taken on "
              + server
              + " and "
              + joiner.name()
              + " runs "
              + joiner.version()
              + ": a physical backup restores only into the same major version; use a logical method");
    }
    if (!physical) {
      requireLoadable(server, joiner, "backup " + e.id());
    }
    BinlogCoverage.check(
        primary, connections.pool(primary.node()), e.manifest().gtid(), "backup " + e.id());
  }

  /**
   * MariaDB 10.4 and later (BACKUP STAGE) are dumped in parallel; other servers (MySQL) by the
   * single-stream dump tool.
   */
  static boolean parallelDumpable(String version) {
    if (version == null || !version.toLowerCase(java.util.Locale.ROOT).contains("mariadb")) {
      return false;
    }
    String series = Topology.NodeView.series(version);
    return series != null && compareSeries(series, "10.4") >= 0;
  }

  private static void requireLoadable(String sourceVersion, Topology.NodeView joiner, String what) {
    String from = Topology.NodeView.series(sourceVersion);
    if (from != null && joiner.series() != null && compareSeries(joiner.series(), from) < 0) {
      throw new DbJobsException(
          ErrorCode.PREFLIGHT_REFUSED,
          what
              + " comes from "
              + sourceVersion
              + " and "
              + joiner.name()
              + " runs "
              + joiner.version()
              + ": a dump of a newer server may not load into an older one; upgrade "
              + joiner.name()
              + " first");
    }
  }

  static int compareSeries(String a, String b) {
    String[] x = a.split("\\.");
    String[] y = b.split("\\.");
    for (int i = 0; i < Math.min(x.length, y.length); i++) {
      int c = Integer.compare(Integer.parseInt(x[i]), Integer.parseInt(y[i]));
      if (c != 0) {
        return c;
      }
    }
    return Integer.compare(x.length, y.length);
  }

  /**
   * The named donor (any cluster), else the healthiest replica other than the joiner; never the
   * primary by default, never a shunned node.
   */
  Topology.NodeView donor(
      Reseed.Request r, Topology topology, Topology.NodeView joiner, Topology.NodeView primary) {
    java.util.Map<String, Shun> shunned = OperatorStates.of(config).shuns();
    if (r.donor() != null) {
      NodeConfig n = config.node(r.donor());
      if (n.name().equals(joiner.name())) {
        throw new DbJobsException(
            ErrorCode.PREFLIGHT_REFUSED, joiner.name() + " cannot be its own donor");
      }
      Shun s = shunned.get(n.name());
      if (s != null) {
        throw new DbJobsException(
            ErrorCode.PREFLIGHT_REFUSED,
            "the donor "
                + n.name()
                + " is shunned (by "
                + s.by()
                + (s.reason().isEmpty() ? "" : ": " + s.reason())
                + "); welcome it first (dbjobs welcome --node "
                + n.name()
                + ") or name another donor");
      }
      Topology other =
          n.cluster().equals(topology.cluster().name())
              ? topology
              : Topology.read(connections, config.cluster(n.cluster()));
      Topology.NodeView v = other.node(n.name());
      if (!v.up()) {
        throw new DbJobsException(
            ErrorCode.PREFLIGHT_REFUSED,
            "the donor " + n.name() + " does not answer: " + v.error());
      }
      return v;
    }
    return topology
        .bestReplica(joiner.name(), shunned.keySet())
        .orElseThrow(
            () ->
                new DbJobsException(
                    ErrorCode.PREFLIGHT_REFUSED,
                    "no healthy replica besides "
                        + joiner.name()
                        + " to copy (both replication threads running"
                        + (shunned.isEmpty() ? "" : ", not shunned: " + shunned.keySet())
                        + "); name a donor"
                        + " with --donor (the primary "
                        + primary.name()
                        + " only on request: a backup costs it performance)"
                        + " or use --method logicalmaster"));
  }

  /**
   * What a physical copy of {@code node} will stream, for the joiner's disk check: measured on the
   * donor's datadir by its agent ({@code GET /v1/facts}, needs the cluster's agentToken). Without
   * an agent endpoint, the tables' data and index lengths stand in, which leave out the system
   * tablespace, free space and the redo log: the joiner's check is then a lower bound, said so.
   */
  private Long dataBytes(NodeConfig node) {
    Secret token = config.cluster(node.cluster()).agentToken();
    if (token != null) {
      try {
        AgentApi.Facts f = agents.facts(node, token);
        if (f.datadirBytes() >= 0) {
          return f.datadirBytes();
        }
        LOG.warn(
            "the agent of {} could not read its datadir {}; sizing the copy from the tables",
            node.name(),
            f.datadir());
      } catch (DbJobsException e) {
        LOG.warn(
            "the agent of {} did not say its datadir size ({}); sizing the copy from the tables",
            node.name(),
            e.getMessage());
      }
    }
    try (Connection c = connections.pool(node).getConnection();
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT SUM(COALESCE(DATA_LENGTH,0)+COALESCE(INDEX_LENGTH,0)+COALESCE(DATA_FREE,0))"
                    + " FROM information_schema.TABLES")) {
      rs.next();
      long v = rs.getLong(1);
      return rs.wasNull() ? null : v;
    } catch (SQLException e) {
      throw new DbJobsException(
          SqlErrors.classify(e),
          "cannot size the donor " + node.name() + "'s data: " + SqlErrors.message(e),
          e);
    }
  }

  private static Path privateDir() {
    try {
      return Files.createTempDirectory("dbjobs-reseed-");
    } catch (IOException e) {
      throw new DbJobsException(
          ErrorCode.INTERNAL, "cannot create a private temp folder: " + e.getMessage(), e);
    }
  }
}
