package io.dbjobs.common.health;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The diagnosis of one node's replication: pure logic over its {@link NodeFacts} and what the
 * cluster says ({@link Context}). Every connection is looked at, not just the default one; the
 * node's diagnosis is the most serious finding ({@link Diagnosis} order), its {@link Verdict} says
 * whether {@code recover} can repair it.
 */
public final class ReplicaAssessment {
  private ReplicaAssessment() {}

  /** Where a replication connection reads from, as the cluster sees it. */
  public enum SourceKind {
    /** The cluster's current primary. */
    PRIMARY,
    /** Another node of the cluster. */
    OTHER_NODE,
    /** Nothing the cluster knows (another cluster, an external source). */
    OUTSIDE
  }

  /**
   * A connection's source.
   *
   * @param name the node's name, or {@code host:port} for an outside source
   */
  public record Source(SourceKind kind, String name) {}

  /**
   * What the diagnosis of a replica needs besides its own facts.
   *
   * @param primaryName the cluster's current primary; null when it has none now
   * @param primary the primary's facts; null when unknown (then errant transactions and purged
   *     binlogs cannot be judged)
   * @param clusterChannel the connection that is to replicate from the primary ({@code ""}, the
   *     default one, unless the node reads from the cluster through a named one)
   * @param sources each connection's source by connection name; a connection missing here is {@link
   *     SourceKind#OUTSIDE}
   * @param lagThreshold a replica further behind is {@link Diagnosis#LAGGING}
   */
  public record Context(
      String primaryName,
      NodeFacts primary,
      String clusterChannel,
      Map<String, Source> sources,
      Duration lagThreshold) {
    public Context {
      clusterChannel = clusterChannel == null ? "" : clusterChannel;
      sources = Map.copyOf(sources);
      Objects.requireNonNull(lagThreshold, "lagThreshold");
    }
  }

  /**
   * The result.
   *
   * @param findings everything found, most serious first; empty when all is well
   * @param errantGtids the GTIDs (MariaDB) or GTID set parts (MySQL) the primary never had
   * @param errantCount MariaDB: how many errant GTIDs (each at least one transaction); MySQL: how
   *     many errant transactions
   */
  public record Assessment(
      Diagnosis diagnosis,
      Verdict verdict,
      List<Finding> findings,
      List<String> errantGtids,
      long errantCount) {
    public Assessment {
      findings = List.copyOf(findings);
      errantGtids = List.copyOf(errantGtids);
    }

    /** The findings that make {@code recover} refuse. */
    public List<Finding> blockers() {
      return findings.stream().filter(Finding::needsReseed).toList();
    }

    /** "stopped: ...; writable-replica: ..." or "ok". */
    public String summary() {
      return findings.isEmpty()
          ? Diagnosis.OK.label()
          : String.join("; ", findings.stream().map(Finding::toString).toList());
    }
  }

  /** A node whose database cannot be read. */
  public static Assessment unreachable(String why) {
    return new Assessment(
        Diagnosis.UNREACHABLE,
        Verdict.UNKNOWN,
        List.of(new Finding(Diagnosis.UNREACHABLE, null, why, false)),
        List.of(),
        0);
  }

  /**
   * The cluster's primary: only its own replication connections (from outside the cluster, e.g.
   * another site) can be wrong.
   */
  public static Assessment primary(NodeFacts node, Duration lagThreshold) {
    List<Finding> f = new ArrayList<>();
    for (ReplicaChannel c : node.channels()) {
      channelFindings(c, new Source(SourceKind.OUTSIDE, c.source()), false, lagThreshold, f);
    }
    return result(f, List.of(), 0);
  }

  /** A node that is not the cluster's primary. */
  public static Assessment replica(NodeFacts node, Context ctx) {
    List<Finding> f = new ArrayList<>();
    List<String> errant = List.of();
    long errantCount = 0;
    NodeFacts p = ctx.primary();
    if (p != null) {
      if (node.mariadb()) {
        List<MariaDbGtids.Gtid> e =
            MariaDbGtids.errant(
                node.gtidBinlogState(),
                node.gtidSlavePos(),
                node.serverId(),
                p.gtidBinlogState(),
                p.gtidSlavePos());
        errant = e.stream().map(MariaDbGtids.Gtid::toString).toList();
        errantCount = e.size();
      } else {
        GtidSet e = GtidSet.parse(node.gtidExecuted()).minus(GtidSet.parse(p.gtidExecuted()));
        errant = e.parts();
        errantCount = e.count();
      }
      if (!errant.isEmpty()) {
        f.add(
            new Finding(
                Diagnosis.ERRANT_TRANSACTIONS,
                null,
                (node.mariadb()
                        ? errantCount + " GTID" + (errantCount == 1 ? "" : "s")
                        : errantCount + " transaction" + (errantCount == 1 ? "" : "s"))
                    + " the primary "
                    + ctx.primaryName()
                    + " never had: "
                    + String.join(",", errant)
                    + " (written on this node, or on a former primary after it stopped being one)",
                true));
      }
      List<String> missing = purged(node, p);
      if (!missing.isEmpty()) {
        f.add(
            new Finding(
                Diagnosis.BINLOGS_PURGED,
                null,
                "the primary "
                    + ctx.primaryName()
                    + " no longer has the binary logs this node needs from its position "
                    + node.position()
                    + " ("
                    + String.join("; ", missing)
                    + (p.oldestBinlog() == null ? "" : "; oldest binlog " + p.oldestBinlog().file())
                    + ")",
                true));
      }
    }
    for (ReplicaChannel c : node.channels()) {
      Source src = ctx.sources().getOrDefault(c.name(), new Source(SourceKind.OUTSIDE, c.source()));
      channelFindings(c, src, c.name().equals(ctx.clusterChannel()), ctx.lagThreshold(), f);
      if (c.name().equals(ctx.clusterChannel())
          && ctx.primaryName() != null
          && src.kind() != SourceKind.PRIMARY) {
        f.add(
            new Finding(
                Diagnosis.WRONG_PRIMARY,
                c.name(),
                "replicates from "
                    + (src.kind() != SourceKind.OTHER_NODE
                        ? c.source() + ", which is no node of the cluster"
                        : src.name().equals(c.source())
                            ? c.source()
                            : src.name() + " (" + c.source() + ")")
                    + ", not from the primary "
                    + ctx.primaryName(),
                false));
      }
    }
    if (node.channel(ctx.clusterChannel()) == null) {
      f.add(
          new Finding(
              Diagnosis.STOPPED,
              ctx.clusterChannel(),
              "does not replicate from the cluster (no such replication connection)",
              false));
    }
    if (!node.readOnly()) {
      f.add(
          new Finding(
              Diagnosis.WRITABLE_REPLICA,
              null,
              "read_only is OFF on a replica: it accepts writes the primary never sees",
              false));
    }
    return result(f, errant, errantCount);
  }

  private static List<String> purged(NodeFacts node, NodeFacts primary) {
    if (node.mariadb()) {
      if (primary.oldestBinlog() == null) {
        return List.of();
      }
      return MariaDbGtids.missingFromBinlogs(
          node.gtidCurrentPos(), primary.oldestBinlog().gtidState());
    }
    GtidSet lacking = GtidSet.parse(primary.gtidPurged()).minus(GtidSet.parse(node.gtidExecuted()));
    return lacking.isEmpty()
        ? List.of()
        : List.of("purged from the primary's binlogs but not applied here: " + lacking);
  }

  /**
   * Findings of one connection. An IO error that says the source cannot serve the position blocks a
   * recovery, unless the connection is the cluster's and reads from the wrong node (recover points
   * it elsewhere anyway).
   */
  private static void channelFindings(
      ReplicaChannel c,
      Source src,
      boolean clusterChannel,
      Duration lagThreshold,
      List<Finding> f) {
    boolean error = false;
    if (c.sql() == ThreadState.STOPPED && c.lastSqlErrno() != 0) {
      boolean transientError = ReplicationErrors.sqlErrorIsTransient(c.lastSqlErrno());
      f.add(
          new Finding(
              Diagnosis.SQL_ERROR,
              c.name(),
              "the SQL thread stopped with error "
                  + c.lastSqlErrno()
                  + ": "
                  + c.lastSqlError()
                  + (transientError
                      ? " (transient: restarting replication repairs it)"
                      : " (the node's data differs from its source's)"),
              !transientError));
      error = true;
    }
    if (c.io() != ThreadState.RUNNING && c.lastIoErrno() != 0) {
      boolean fatal =
          !ReplicationErrors.ioErrorIsTransient(c.lastIoErrno())
              && (!clusterChannel || src.kind() == SourceKind.PRIMARY);
      f.add(
          new Finding(
              Diagnosis.IO_ERROR,
              c.name(),
              "the IO thread ("
                  + c.io().name().toLowerCase(Locale.ROOT)
                  + ") cannot read from "
                  + c.source()
                  + ": error "
                  + c.lastIoErrno()
                  + ": "
                  + c.lastIoError()
                  + (fatal ? " (the source cannot serve this node's position)" : ""),
              fatal));
      error = true;
    }
    if (!error && (c.io() == ThreadState.STOPPED || c.sql() == ThreadState.STOPPED)) {
      f.add(
          new Finding(
              Diagnosis.STOPPED,
              c.name(),
              "replication is stopped (IO thread "
                  + c.io().name().toLowerCase(Locale.ROOT)
                  + ", SQL thread "
                  + c.sql().name().toLowerCase(Locale.ROOT)
                  + ")",
              false));
    }
    if (c.running() && c.secondsBehind() != null && c.secondsBehind() > lagThreshold.toSeconds()) {
      f.add(
          new Finding(
              Diagnosis.LAGGING,
              c.name(),
              c.secondsBehind()
                  + " s behind "
                  + src.name()
                  + " (threshold "
                  + lagThreshold.toSeconds()
                  + " s)",
              false));
    }
  }

  private static Assessment result(List<Finding> findings, List<String> errant, long errantCount) {
    List<Finding> sorted = new ArrayList<>(findings);
    sorted.sort((a, b) -> Integer.compare(a.diagnosis().ordinal(), b.diagnosis().ordinal()));
    Diagnosis d = Diagnosis.OK;
    boolean needsReseed = false;
    boolean repairable = false;
    for (Finding x : sorted) {
      d = Diagnosis.worst(d, x.diagnosis());
      needsReseed |= x.needsReseed();
      repairable |= x.diagnosis() != Diagnosis.LAGGING && x.diagnosis() != Diagnosis.OK;
    }
    Verdict v =
        needsReseed ? Verdict.NEEDS_RESEED : repairable ? Verdict.RECOVERABLE : Verdict.HEALTHY;
    return new Assessment(d, v, sorted, errant, errantCount);
  }

  /**
   * Each connection's source for a node that is to replicate from the primary at {@code
   * primaryHost:primaryPort}: the cluster connection is {@link SourceKind#PRIMARY} when its host
   * and port are the primary's or it last read from the primary's server id, else {@link
   * SourceKind#OTHER_NODE}; the others are {@link SourceKind#OUTSIDE}. What an agent can tell
   * without the rest of the cluster.
   */
  public static Map<String, Source> sourcesFor(
      NodeFacts node,
      String clusterChannel,
      String primaryName,
      String primaryHost,
      int primaryPort,
      long primaryServerId) {
    Map<String, Source> out = new HashMap<>();
    for (ReplicaChannel c : node.channels()) {
      if (!c.name().equals(clusterChannel)) {
        out.put(c.name(), new Source(SourceKind.OUTSIDE, c.source()));
      } else if (sameAddress(c, primaryHost, primaryPort)
          || (c.sourceServerId() != 0 && c.sourceServerId() == primaryServerId)) {
        out.put(c.name(), new Source(SourceKind.PRIMARY, primaryName));
      } else {
        out.put(c.name(), new Source(SourceKind.OTHER_NODE, c.source()));
      }
    }
    return out;
  }

  /** True when a connection's host and port are these (host names compared without case). */
  public static boolean sameAddress(ReplicaChannel c, String host, int port) {
    return c.sourcePort() == port && c.sourceHost().equalsIgnoreCase(host);
  }
}
